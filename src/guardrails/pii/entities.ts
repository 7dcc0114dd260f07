/**
 * The kinds of personal data and secrets the PII guardrail knows, the placeholder label of each
 * (`<EMAIL_1>`, `<CARD_1>`), and the shape of one finding in a text.
 */

export const PII_ENTITIES = ['email', 'phone', 'credit_card', 'iban', 'ssn', 'ip_address', 'secret'] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

/** Placeholder labels: upper case letters only, so a placeholder is `<[A-Z]+_[0-9]+>`. */
export const PLACEHOLDER_LABELS: Readonly<Record<PiiEntity, string>> = {
  email: 'EMAIL',
  phone: 'PHONE',
  credit_card: 'CARD',
  iban: 'IBAN',
  ssn: 'SSN',
  ip_address: 'IP',
  secret: 'SECRET',
};

/** One finding: `text.slice(start, end) === value`. */
export interface PiiMatch {
  entity: PiiEntity;
  start: number;
  end: number;
  value: string;
}

/** Finds one kind of entity in a text. Detectors validate what they match (checksums, ranges). */
export interface PiiDetector {
  readonly entity: PiiEntity;
  detect(text: string): PiiMatch[];
}

/** Occurrences found per entity type; only types that were found are present. */
export type PiiFindings = Partial<Record<PiiEntity, number>>;
