/**
 * Reference routers to read a router's figures against. Random routing is the straight line
 * from the weak to the strong quality (APGR 0.5); scoring every row the same traces exactly that
 * line, because ties are interpolated. The oracle knows the answers and sends the rows where
 * the strong model does better first: the best any router could do. Prompt length is the
 * trivial learned-nothing baseline.
 */
import type { RoutingOutcome } from './quality-curve.js';

export function randomReferenceScores(count: number): Float64Array {
  return new Float64Array(count).fill(0.5);
}

export function oracleScores(outcomes: readonly RoutingOutcome[]): Float64Array {
  return Float64Array.from(outcomes, (outcome) => outcome.strong - outcome.weak);
}

export function promptLengthScores(prompts: readonly string[]): Float64Array {
  return Float64Array.from(prompts, (prompt) => prompt.length);
}
