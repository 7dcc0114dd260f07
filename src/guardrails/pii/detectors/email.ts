/**
 * Email addresses. Found from each `@` outwards rather than by one regex over the text, so a
 * long run of address-like characters (base64, a minified bundle) costs linear time, not
 * quadratic backtracking. Validated as a real address: dot rules in the local part, labels of
 * at most 63 characters that do not start or end with a hyphen, an alphabetic top-level domain.
 * Rejected on purpose: image names (`logo@2x.png`), package specs (`react@18.2.0`), scp-style
 * remotes (`git@github.com:org/repo`).
 */
import type { PiiDetector, PiiMatch } from '../entities.js';

const LOCAL_CHARACTER = /[A-Za-z0-9._%+'-]/;
const DOMAIN_CHARACTER = /[A-Za-z0-9.-]/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Top-level "domains" that are file extensions in practice: `icon@2x.png`, `font@latest.woff`. */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp', 'tif', 'tiff', 'pdf', 'js', 'ts', 'css', 'html', 'json', 'woff', 'woff2', 'ttf', 'txt', 'md', 'zip', 'gz', 'tgz', 'mp4', 'mp3']);

export const emailDetector: PiiDetector = {
  entity: 'email',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    let searchFrom = 0;
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', searchFrom)) {
      searchFrom = at + 1;
      const match = addressAround(text, at);
      if (match) {
        matches.push(match);
        searchFrom = match.end;
      }
    }
    return matches;
  },
};

function addressAround(text: string, at: number): PiiMatch | undefined {
  let start = at;
  while (start > 0 && at - start < 64 && LOCAL_CHARACTER.test(text[start - 1]!)) start--;
  // A local part longer than 64 characters is not an address (and is likely a token or hash).
  if (start > 0 && LOCAL_CHARACTER.test(text[start - 1]!)) return undefined;
  // An apostrophe belongs to a name (`o'brien@…`), but one in front is a quote: `'jane@…'`.
  while (text[start] === '.' || text[start] === "'") start++;
  let end = at + 1;
  while (end < text.length && end - at <= 253 && DOMAIN_CHARACTER.test(text[end]!)) end++;
  while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;

  const local = text.slice(start, at);
  const domain = text.slice(at + 1, end);
  if (local.length === 0 || local.endsWith('.') || local.includes('..')) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  const topLevel = labels[labels.length - 1]!;
  if (!/^[A-Za-z]{2,24}$/.test(topLevel) || FILE_EXTENSIONS.has(topLevel.toLowerCase())) return undefined;
  // `git@github.com:org/repo.git`: an scp-style remote, not a mailbox.
  if (text[end] === ':' && end + 1 < text.length && /[\w~/]/.test(text[end + 1]!)) return undefined;
  return { entity: 'email', start, end, value: text.slice(start, end) };
}
