/**
 * The JSON text an object was parsed from, for objects passed on unchanged (an OpenAI-format
 * completion or embeddings list relayed to the client). Writing that text back saves a
 * JSON.stringify on the hot path; for embeddings it is most of the response work. Nothing in
 * the gateway mutates a parsed upstream response, and any copy or translation is a new object
 * without an entry, so the text never goes stale.
 */
const sourceText = new WeakMap<object, string>();

export function rememberJsonText<T>(value: T, text: string): T {
  if (typeof value === 'object' && value !== null) sourceText.set(value, text);
  return value;
}

/** The object as JSON: its source text when it has one, else serialised. */
export function jsonTextOf(value: unknown): string {
  return (typeof value === 'object' && value !== null && sourceText.get(value)) || JSON.stringify(value);
}
