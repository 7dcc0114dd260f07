/**
 * US Social Security numbers: `AAA-GG-SSSS` (or with spaces), and nine digits written together
 * only after an SSN keyword, since a bare nine-digit number is far more often something else.
 * Numbers the SSA never issues are rejected: area 000, 666 or 900-999, group 00, serial 0000,
 * and the two numbers published in advertising (078-05-1120, 219-09-9999).
 */
import type { PiiDetector, PiiMatch } from '../entities.js';
import { matchesOf, textBefore } from './boundaries.js';

const SEPARATED = /(?<![\w\-./])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w\-/]|\.\d)/g;
const TOGETHER = /(?<![\w\-./])(\d{3})(\d{2})(\d{4})(?![\w\-/]|\.\d)/g;
const KEYWORD = /\b(ssn|ss#|social security(?: number| no\.?| #)?|soc\. ?sec\.?)\b[\s:#.-]*(?:is|was|=)?[\s:#-]*$/;
const NEVER_ISSUED = new Set(['078051120', '219099999']);

export const ssnDetector: PiiDetector = {
  entity: 'ssn',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    for (const match of matchesOf(SEPARATED, text)) {
      if (isIssuable(match[1]!, match[3]!, match[4]!)) matches.push({ entity: 'ssn', start: match.index, end: match.index + match[0].length, value: match[0] });
    }
    for (const match of matchesOf(TOGETHER, text)) {
      if (isIssuable(match[1]!, match[2]!, match[3]!) && KEYWORD.test(textBefore(text, match.index, 40))) {
        matches.push({ entity: 'ssn', start: match.index, end: match.index + match[0].length, value: match[0] });
      }
    }
    return matches;
  },
};

export function isIssuable(area: string, group: string, serial: string): boolean {
  const areaNumber = Number(area);
  if (areaNumber === 0 || areaNumber === 666 || areaNumber >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !NEVER_ISSUED.has(area + group + serial);
}
