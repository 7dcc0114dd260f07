/** The weak and strong quality of each row, the input to every routing metric. */
import type { RoutingRow } from './routing-dataset.js';
import type { RoutingOutcome } from './quality-curve.js';

export function routingOutcomes(rows: readonly RoutingRow[], weak: string, strong: string): RoutingOutcome[] {
  return rows.map((row) => {
    const weakScore = row.scores[weak];
    const strongScore = row.scores[strong];
    if (weakScore === undefined || strongScore === undefined) {
      throw new Error(`row "${row.id}" has no score for ${weakScore === undefined ? weak : strong}`);
    }
    return { weak: weakScore, strong: strongScore };
  });
}
