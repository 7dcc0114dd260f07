/**
 * `${ENV_VAR}` and `${ENV_VAR:-default}` in string values. Done after YAML parsing, so a secret
 * containing `:` or `#` cannot change the document's structure.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationResult {
  value: unknown;
  /** Variables that were referenced but unset, with the key path that referenced them. */
  missing: Array<{ variable: string; path: string }>;
}

export function interpolateEnv(value: unknown, environment: NodeJS.ProcessEnv, path = ''): InterpolationResult {
  const missing: InterpolationResult['missing'] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === 'string') {
      return node.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
        const resolved = environment[name];
        if (resolved !== undefined && resolved !== '') return resolved;
        if (fallback !== undefined) return fallback;
        missing.push({ variable: name, path: at });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${at}[${index}]`));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, at ? `${at}.${key}` : key);
      return out;
    }
    return node;
  };
  return { value: walk(value, path), missing };
}
