/**
 * A fixed tenth of the dev datasets the shipped default router never trains on, chosen by a
 * hash of the row id (not by position, so it does not depend on file order). The test that the
 * default router beats random reads exactly these rows.
 */
export const HOLDOUT_BUCKETS = 10;

export function isHeldOut(id: string): boolean {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % HOLDOUT_BUCKETS === 0;
}
