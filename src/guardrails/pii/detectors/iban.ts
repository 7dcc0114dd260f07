/**
 * International bank account numbers: a country code, two check digits and the national
 * account number, written together or in groups of four, of exactly the length the country
 * uses, and passing the ISO 13616 mod-97 check (the remainder of the rearranged number is 1).
 */
import type { PiiDetector, PiiMatch } from '../entities.js';
import { isAsciiDigit, isAsciiLetter, isWordCharacterAt, matchesOf } from './boundaries.js';

/** IBAN length per country (ISO 13616 registry, SWIFT release 2024). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

const START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}/g;

export const ibanDetector: PiiDetector = {
  entity: 'iban',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    let skipUntil = 0;
    for (const start of matchesOf(START, text)) {
      if (start.index < skipUntil) continue;
      const length = IBAN_LENGTHS[start[0].slice(0, 2)];
      if (length === undefined) continue;
      const end = endOfIban(text, start.index, length);
      if (end === undefined) continue;
      const value = text.slice(start.index, end);
      if (!passesMod97(value.replace(/ /g, ''))) continue;
      matches.push({ entity: 'iban', start: start.index, end, value });
      skipUntil = end;
    }
    return matches;
  },
};

/**
 * Where an IBAN of `length` characters that starts at `start` ends: it takes letters and digits
 * with at most one space between them, and must not run on into a longer word.
 */
function endOfIban(text: string, start: number, length: number): number | undefined {
  let taken = 0;
  let index = start;
  while (taken < length && index < text.length) {
    const code = text.charCodeAt(index);
    if (isAsciiDigit(code) || (isAsciiLetter(code) && code <= 90)) {
      taken++;
      index++;
    } else if (code === 32 && taken >= 4 && index + 1 < text.length && text.charCodeAt(index + 1) !== 32) {
      index++;
    } else {
      return undefined;
    }
  }
  if (taken < length || isWordCharacterAt(text, index)) return undefined;
  return index;
}

/** ISO 7064 mod 97-10: move the first four characters to the end, letters as 10..35, remainder 1. */
export function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = isAsciiDigit(code) ? code - 48 : code - 55;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
