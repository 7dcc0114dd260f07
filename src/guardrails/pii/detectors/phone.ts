/**
 * Phone numbers, found and validated by `libphonenumber-js` with its full metadata (number
 * ranges per country, not only lengths), for international numbers (`+44 20 7946 0958`) and
 * national ones in the configured regions (`(415) 555-2671` with US). Its matcher already
 * rejects dates and times; on top, a national number right after a reference word
 * (`order #4155552671`, `invoice 2125550199`, `the part number is 123-45-67890`) is taken as
 * that reference, and so is one that starts with a year (`2024-11-0193`).
 */
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import type { PiiDetector, PiiMatch } from '../entities.js';
import { textBefore } from './boundaries.js';

const REFERENCE_WORD = /(?:#|\b(?:order|invoice|inv|ref|reference|tracking|shipment|ticket|case|po|sku|id|account|acct|confirmation|transaction|txn|serial|customer|booking|pnr|isbn|batch|lot|part|item|model|no\.?|dhl|ups|fedex|usps)\s*(?:no\.?|number|#|id)?\s*(?:is|was)?\s*[:#=]?)\s*$/;
/** `2024-11-0193`, `2024/000183`: a reference that starts with a year, not a phone number. */
const YEAR_FIRST = /^(?:19|20)\d\d[-/.]/;

export function phoneDetector(regions: readonly string[]): PiiDetector {
  const countries = regions as readonly CountryCode[];
  return {
    entity: 'phone',
    detect(text: string): PiiMatch[] {
      if (!/\d{2}/.test(text)) return [];
      const matches: PiiMatch[] = [];
      const scanned = text.replace(/[,;]/g, '\n');
      for (const country of countries.length > 0 ? countries : [undefined]) {
        for (const found of findPhoneNumbersInText(scanned, { defaultCountry: country })) {
          const value = text.slice(found.startsAt, found.endsAt);
          if (!value.startsWith('+') && (YEAR_FIRST.test(value) || REFERENCE_WORD.test(textBefore(text, found.startsAt, 32)))) continue;
          if (matches.some((other) => other.start < found.endsAt && found.startsAt < other.end)) continue;
          matches.push({ entity: 'phone', start: found.startsAt, end: found.endsAt, value });
        }
      }
      return matches;
    },
  };
}
