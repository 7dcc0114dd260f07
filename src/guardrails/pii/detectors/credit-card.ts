/**
 * Payment card numbers: 12 to 19 digits, written together or in the groups cards print
 * (4-4-4-4, Amex 4-6-5, Diners 4-6-4) with one kind of separator, that pass the Luhn check
 * and start with a known issuer prefix of the right length. The issuer check matters: Luhn
 * alone passes one random digit string in ten, so order numbers and millisecond timestamps
 * would be masked.
 */
import type { PiiDetector, PiiMatch } from '../entities.js';
import { matchesOf } from './boundaries.js';

const CANDIDATE = /(?<![\w.\-/+])\d(?:[ -]?\d){11,18}(?![\w\-/]|\.\d)/g;
const GROUPINGS = new Set(['4-4-4-4', '4-4-4-4-3', '4-4-4-4-2', '4-4-4-4-1', '4-6-5', '4-6-4', '4-4-4-3', '4-4-4-1', '4-4-5', '4-4-4']);

/** Issuer prefixes (IIN ranges) and the lengths their cards have. */
const ISSUERS: ReadonlyArray<{ ranges: Array<[number, number]>; prefixLength: number; lengths: number[] }> = [
  { ranges: [[4, 4]], prefixLength: 1, lengths: [13, 16, 19] }, // Visa
  { ranges: [[51, 55]], prefixLength: 2, lengths: [16] }, // Mastercard
  { ranges: [[2221, 2720]], prefixLength: 4, lengths: [16] }, // Mastercard 2-series
  { ranges: [[34, 34], [37, 37]], prefixLength: 2, lengths: [15] }, // American Express
  { ranges: [[6011, 6011], [6440, 6499], [6500, 6599]], prefixLength: 4, lengths: [16, 17, 18, 19] }, // Discover
  { ranges: [[3528, 3589]], prefixLength: 4, lengths: [16, 17, 18, 19] }, // JCB
  { ranges: [[300, 305], [360, 369], [380, 399]], prefixLength: 3, lengths: [14, 15, 16, 17, 18, 19] }, // Diners Club
  { ranges: [[62, 62]], prefixLength: 2, lengths: [16, 17, 18, 19] }, // UnionPay
  { ranges: [[50, 50], [56, 58], [63, 63], [67, 67]], prefixLength: 2, lengths: [12, 13, 14, 15, 16, 17, 18, 19] }, // Maestro
  { ranges: [[2200, 2204]], prefixLength: 4, lengths: [16, 17, 18, 19] }, // Mir
];

export const creditCardDetector: PiiDetector = {
  entity: 'credit_card',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    for (const match of matchesOf(CANDIDATE, text)) {
      if (isCardNumber(match[0])) matches.push({ entity: 'credit_card', start: match.index, end: match.index + match[0].length, value: match[0] });
    }
    return matches;
  },
};

export function isCardNumber(written: string): boolean {
  const separators = new Set(written.replace(/\d/g, ''));
  if (separators.size > 1) return false;
  if (separators.size === 1 && !GROUPINGS.has(written.split(/[ -]/).map((group) => group.length).join('-'))) return false;
  const digits = written.replace(/\D/g, '');
  return hasIssuerPrefix(digits) && passesLuhn(digits);
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function hasIssuerPrefix(digits: string): boolean {
  return ISSUERS.some((issuer) => {
    if (!issuer.lengths.includes(digits.length)) return false;
    const prefix = Number(digits.slice(0, issuer.prefixLength));
    return issuer.ranges.some(([low, high]) => prefix >= low && prefix <= high);
  });
}
