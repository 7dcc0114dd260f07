/**
 * The detectors' precision and recall on the labelled sets may not fall below these floors, so
 * a rule change that trades accuracy away fails here. The figures themselves are printed by
 * `npm run guardrails:eval` and quoted in docs/guardrails.md.
 */
import { describe, expect, it } from 'vitest';
import type { PiiEntity } from '../entities.js';
import { PiiScanner } from '../pii-scanner.js';
import { evaluateDetectors } from './evaluate-detectors.js';
import { HOLDOUT_SET_PATH, LABELLED_SET_PATH, loadLabelledSet, parseLabelledText } from './labelled-set.js';

const scanner = new PiiScanner({ phoneRegions: ['US', 'GB'] });

const FLOORS: Record<'holdout' | 'development', Record<PiiEntity, { precision: number; recall: number }>> = {
  holdout: {
    email: { precision: 0.95, recall: 0.95 },
    phone: { precision: 0.75, recall: 0.9 },
    credit_card: { precision: 0.95, recall: 0.95 },
    iban: { precision: 0.95, recall: 0.95 },
    ssn: { precision: 0.95, recall: 0.95 },
    ip_address: { precision: 0.95, recall: 0.95 },
    secret: { precision: 0.95, recall: 0.95 },
  },
  development: {
    email: { precision: 0.95, recall: 0.9 },
    phone: { precision: 0.95, recall: 0.9 },
    credit_card: { precision: 0.95, recall: 0.95 },
    iban: { precision: 0.95, recall: 0.95 },
    ssn: { precision: 0.95, recall: 0.95 },
    ip_address: { precision: 0.95, recall: 0.95 },
    secret: { precision: 0.95, recall: 0.95 },
  },
};

describe('PII detector quality', () => {
  for (const [name, path] of [['holdout', HOLDOUT_SET_PATH], ['development', LABELLED_SET_PATH]] as const) {
    it(`keeps precision and recall per entity above their floors on the ${name} set`, () => {
      const evaluation = evaluateDetectors(scanner, loadLabelledSet(path));
      for (const score of evaluation.scores) {
        expect(score.labelled, `${score.entity} has labels`).toBeGreaterThan(4);
        expect(score.precision, `${score.entity} precision`).toBeGreaterThanOrEqual(FLOORS[name][score.entity].precision);
        expect(score.recall, `${score.entity} recall`).toBeGreaterThanOrEqual(FLOORS[name][score.entity].recall);
      }
    });
  }

  it('scores a finding against its label: overlap counts, a wrong type or an extra finding does not', () => {
    const set = [parseLabelledText('t', 'mail [[email|jane@example.com]] call 212-555-0199 from [[ip_address|203.0.113.9]]')];
    const evaluation = evaluateDetectors(new PiiScanner({ entities: ['email', 'phone'] }), set);
    const byEntity = Object.fromEntries(evaluation.scores.map((score) => [score.entity, score]));
    expect(byEntity.email).toMatchObject({ labelled: 1, found: 1, truePositives: 1, exact: 1, precision: 1, recall: 1 });
    expect(byEntity.phone).toMatchObject({ labelled: 0, found: 1, truePositives: 0, precision: 0 });
    expect(byEntity.ip_address).toMatchObject({ labelled: 1, found: 0, recall: 0 });
    expect(evaluation.errors.map((error) => [error.kind, error.value])).toEqual([
      ['miss', '203.0.113.9'],
      ['false-positive', '212-555-0199'],
    ]);
  });
});
