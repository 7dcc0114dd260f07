/**
 * A person's verdict on a comparison, from the admin API or `switchboard review`: stored over the
 * judge's label (a human verdict is the label training uses first) and audited, so a team can
 * see who relabelled what and what the label was before.
 */
import type { AuditActor } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { comparisonLabel, type Comparison, type ReviewVerdict } from '../shadow/comparison.js';
import type { ComparisonStore } from '../shadow/comparison-store.js';

export async function recordVerdict(store: ComparisonStore, audit: AuditLog, actor: AuditActor, id: string, verdict: ReviewVerdict, note: string | null): Promise<Comparison | undefined> {
  const reviewed = await store.recordReview(id, verdict, note, Date.now());
  if (!reviewed) return undefined;
  const labelOf = (comparison: Comparison) => {
    const label = comparisonLabel(comparison);
    return { verdict: comparison.review?.verdict ?? null, note: comparison.review?.note ?? null, label: label?.label ?? null, label_source: label?.source ?? null };
  };
  await audit.record('review.verdict', { ...actor, target: id, before: labelOf(reviewed.before), after: labelOf(reviewed.after) });
  return reviewed.after;
}
