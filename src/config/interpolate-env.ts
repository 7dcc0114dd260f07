/**
 * `${ENV_VAR}` and `${ENV_VAR:-default}` in string values. Done after YAML parsing, so a secret
 * containing `:` or `#` cannot change the document's structure. A variable set to the empty
 * string counts as unset, as in POSIX shells' `${VAR:-default}`.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface UnsetVariable {
  variable: string;
  /** Key path of the value that referenced it, e.g. `['models', 0, 'api_key']`. */
  path: Array<string | number>;
  /** The whole value was this one reference (`api_key: ${OPENAI_API_KEY}`), so leaving the key out means the same as never setting it. */
  wholeValue: boolean;
}

export interface InterpolationResult {
  value: unknown;
  /** Variables referenced without a `:-` default and not set. Their references became ''. */
  unset: UnsetVariable[];
}

export function interpolateEnv(value: unknown, environment: NodeJS.ProcessEnv): InterpolationResult {
  const unset: UnsetVariable[] = [];
  const walk = (node: unknown, at: Array<string | number>): unknown => {
    if (typeof node === 'string') {
      const wholeValue = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(node);
      return node.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const resolved = environment[name];
        if (resolved !== undefined && resolved !== '') return resolved;
        if (fallback !== undefined) return fallback;
        unset.push({ variable: name, path: at, wholeValue });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...at, key]);
      return out;
    }
    return node;
  };
  return { value: walk(value, []), unset };
}
