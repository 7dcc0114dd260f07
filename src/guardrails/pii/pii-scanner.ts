/**
 * Runs the enabled detectors over a text and settles overlaps. A secret always wins: a token
 * in a URL (`https://x:ghp_…@github.com`) must be masked whole even where a longer email-like
 * span covers it. Otherwise the longer finding wins (a card number is not also a phone number
 * inside it), and on equal length the more specific entity (an IBAN before a phone).
 * Built once per configuration; `scan` is called per text.
 *
 *   const scanner = new PiiScanner({ entities: ['email', 'phone'], phoneRegions: ['US'] });
 *   scanner.scan('Mail jane@example.com or call (415) 555-2671');
 *   // [{ entity: 'email', start: 5, end: 21, value: 'jane@example.com' }, { entity: 'phone', … }]
 */
import { PII_ENTITIES, type PiiDetector, type PiiEntity, type PiiMatch } from './entities.js';
import { creditCardDetector } from './detectors/credit-card.js';
import { emailDetector } from './detectors/email.js';
import { ibanDetector } from './detectors/iban.js';
import { ipAddressDetector } from './detectors/ip-address.js';
import { phoneDetector } from './detectors/phone.js';
import { secretDetector } from './detectors/secret.js';
import { ssnDetector } from './detectors/ssn.js';

/** Lower wins a tie of equal length. */
const SPECIFICITY: Readonly<Record<PiiEntity, number>> = { secret: 0, credit_card: 1, iban: 2, ssn: 3, email: 4, ip_address: 5, phone: 6 };

export interface PiiScannerOptions {
  entities?: readonly PiiEntity[];
  /** Regions whose national phone formats are recognised (ISO 3166 alpha-2); default US. */
  phoneRegions?: readonly string[];
  /** Replace the built-in detectors (tests of failure handling, custom entities). */
  detectors?: readonly PiiDetector[];
}

export class PiiScanner {
  readonly detectors: readonly PiiDetector[];

  constructor(options: PiiScannerOptions = {}) {
    const entities = new Set(options.entities ?? PII_ENTITIES);
    this.detectors = (options.detectors ?? builtInDetectors(options.phoneRegions ?? ['US'])).filter((detector) => entities.has(detector.entity));
  }

  /** Non-overlapping findings, in text order. A detector that throws makes `scan` throw. */
  scan(text: string): PiiMatch[] {
    if (text.length === 0) return [];
    const found: PiiMatch[] = [];
    for (const detector of this.detectors) for (const match of detector.detect(text)) found.push(match);
    if (found.length <= 1) return found;
    found.sort((a, b) => secretFirst(a, b) || b.end - b.start - (a.end - a.start) || SPECIFICITY[a.entity] - SPECIFICITY[b.entity] || a.start - b.start);
    const kept: PiiMatch[] = [];
    for (const candidate of found) {
      if (!kept.some((other) => other.start < candidate.end && candidate.start < other.end)) kept.push(candidate);
    }
    return kept.sort((a, b) => a.start - b.start);
  }
}

function secretFirst(a: PiiMatch, b: PiiMatch): number {
  return Number(b.entity === 'secret') - Number(a.entity === 'secret');
}

function builtInDetectors(phoneRegions: readonly string[]): PiiDetector[] {
  return [secretDetector, creditCardDetector, ibanDetector, ssnDetector, emailDetector, ipAddressDetector, phoneDetector(phoneRegions)];
}
