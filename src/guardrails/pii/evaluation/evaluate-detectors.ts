/**
 * Precision and recall of the PII detectors per entity on a labelled set. A finding counts as
 * correct when it has the labelled entity type and overlaps the labelled span (each label
 * matched at most once); `exact` counts those that cover the span exactly, since a partial
 * match masks only part of the value. Everything else found is a false positive, every label
 * not found a miss.
 */
import { PII_ENTITIES, type PiiEntity, type PiiMatch } from '../entities.js';
import type { PiiScanner } from '../pii-scanner.js';
import type { LabelledText } from './labelled-set.js';

export interface EntityScore {
  entity: PiiEntity;
  labelled: number;
  found: number;
  truePositives: number;
  exact: number;
  precision: number;
  recall: number;
}

export interface DetectorError {
  kind: 'false-positive' | 'miss';
  entity: PiiEntity;
  value: string;
  note: string;
}

export interface DetectorEvaluation {
  texts: number;
  scores: EntityScore[];
  overall: Omit<EntityScore, 'entity'>;
  errors: DetectorError[];
}

export function evaluateDetectors(scanner: PiiScanner, set: readonly LabelledText[]): DetectorEvaluation {
  const tally = new Map(PII_ENTITIES.map((entity) => [entity, { labelled: 0, found: 0, truePositives: 0, exact: 0 }]));
  const errors: DetectorError[] = [];
  for (const labelled of set) {
    const found = scanner.scan(labelled.text);
    const matched = new Set<PiiMatch>();
    for (const span of labelled.spans) {
      tally.get(span.entity)!.labelled++;
      const hit = found.find((match) => !matched.has(match) && match.entity === span.entity && match.start < span.end && span.start < match.end);
      if (!hit) {
        errors.push({ kind: 'miss', entity: span.entity, value: labelled.text.slice(span.start, span.end), note: labelled.note });
        continue;
      }
      matched.add(hit);
      tally.get(span.entity)!.truePositives++;
      if (hit.start === span.start && hit.end === span.end) tally.get(span.entity)!.exact++;
    }
    for (const match of found) {
      tally.get(match.entity)!.found++;
      if (!matched.has(match)) errors.push({ kind: 'false-positive', entity: match.entity, value: match.value, note: labelled.note });
    }
  }
  const scores = PII_ENTITIES.map((entity) => withRates(entity, tally.get(entity)!));
  const sum = (key: 'labelled' | 'found' | 'truePositives' | 'exact') => scores.reduce((total, score) => total + score[key], 0);
  const { entity: _entity, ...overall } = withRates('email', { labelled: sum('labelled'), found: sum('found'), truePositives: sum('truePositives'), exact: sum('exact') });
  return { texts: set.length, scores, overall, errors };
}

function withRates(entity: PiiEntity, counts: { labelled: number; found: number; truePositives: number; exact: number }): EntityScore {
  return {
    entity,
    ...counts,
    precision: counts.found === 0 ? 1 : counts.truePositives / counts.found,
    recall: counts.labelled === 0 ? 1 : counts.truePositives / counts.labelled,
  };
}

/** The figures as a Markdown table, as docs/guardrails.md shows them. */
export function formatEvaluation(evaluation: DetectorEvaluation): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const row = (name: string, score: Omit<EntityScore, 'entity'>) =>
    `| ${name} | ${score.labelled} | ${score.found} | ${score.truePositives} | ${score.exact} | ${percent(score.precision)} | ${percent(score.recall)} |`;
  return [
    '| entity | labelled | found | correct | exact span | precision | recall |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...evaluation.scores.map((score) => row(score.entity, score)),
    row('**all**', evaluation.overall),
  ].join('\n');
}
