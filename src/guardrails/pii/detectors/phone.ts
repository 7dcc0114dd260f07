/**
 * Phone numbers: runs of digits and phone punctuation (`+`, spaces, `( ) . -`) with at least
 * seven digits, each validated by `libphonenumber-js` with its full metadata (the number ranges
 * each country assigns, not only lengths): international numbers (`+44 20 7946 0958`) whatever
 * the region, national ones (`(415) 555-2671`) for the configured regions.
 *
 * On top of validation, a national number right after a reference word (`order #4155552671`,
 * `invoice 2125550199`, `the part number is 123-45-67890`) is taken as that reference, and so
 * is one that starts with a year (`2024-11-0193`). Commas, slashes and colons end a run, so
 * lists, dates (`03/15/2024`) and times (`12:30:45`) are not read as one number.
 *
 * Why not the library's own text matcher (`findPhoneNumbersInText`): it cost about 100 µs per
 * short text with digits in it, read `, 415` after a number as an extension, and gave the same
 * precision and recall on the labelled sets as validating our candidates, which costs about
 * 20 µs per candidate (`npm run guardrails:eval` prints the scan cost).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { PiiDetector, PiiMatch } from '../entities.js';
import { isAsciiDigit, isWordCharacterAt, textBefore } from './boundaries.js';

/** Digits and phone punctuation, starting with `+`, `(` or a digit and ending with a digit. */
const CANDIDATE = /[+(]?(?<!\d)\d[\d \t().-]{5,}\d(?!\d)/g;
const MINIMUM_DIGITS = 7;

const REFERENCE_WORD = /(?:#|\b(?:order|invoice|inv|ref|reference|tracking|shipment|ticket|case|po|sku|id|account|acct|confirmation|transaction|txn|serial|customer|booking|pnr|isbn|batch|lot|part|item|model|no\.?|dhl|ups|fedex|usps)\s*(?:no\.?|number|#|id)?\s*(?:is|was)?\s*[:#=]?)\s*$/;
/** `2024-11-0193`, `2024.000183`: a reference that starts with a year, not a phone number. */
const YEAR_FIRST = /^(?:19|20)\d\d[-/.]/;

export function phoneDetector(regions: readonly string[]): PiiDetector {
  const countries = regions as readonly CountryCode[];
  return {
    entity: 'phone',
    detect(text: string): PiiMatch[] {
      const matches: PiiMatch[] = [];
      CANDIDATE.lastIndex = 0;
      for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
        const value = match[0];
        const start = match.index;
        if (countDigits(value) < MINIMUM_DIGITS || isWordCharacterAt(text, start - 1) || isWordCharacterAt(text, start + value.length)) continue;
        if (value.startsWith('+') ? isValidNumber(value, undefined) : isNationalNumber(text, start, value, countries)) {
          matches.push({ entity: 'phone', start, end: start + value.length, value });
        }
      }
      return matches;
    },
  };
}

function isNationalNumber(text: string, start: number, value: string, countries: readonly CountryCode[]): boolean {
  if (YEAR_FIRST.test(value) || REFERENCE_WORD.test(textBefore(text, start, 32))) return false;
  return countries.some((country) => isValidNumber(value, country));
}

function isValidNumber(value: string, country: CountryCode | undefined): boolean {
  return parsePhoneNumberFromString(value, country)?.isValid() ?? false;
}

function countDigits(value: string): number {
  let digits = 0;
  for (let index = 0; index < value.length; index++) if (isAsciiDigit(value.charCodeAt(index))) digits++;
  return digits;
}
