/**
 * Splits row indices into cross-validation folds. Random folds estimate quality on other
 * questions like these; task-grouped folds hold whole tasks out (e.g. MMLU subjects), which is
 * the harder, more honest estimate for topics the router has never seen.
 */
import { seededRandom, shuffled } from './seeded-random.js';

export type FoldKind = 'random' | 'task';

/** Fold number of each row, 0..foldCount-1. */
export function assignFolds(tasks: readonly string[], foldCount: number, kind: FoldKind, seed = 1): Int32Array {
  if (!(Number.isInteger(foldCount) && foldCount >= 2)) throw new RangeError(`folds must be an integer ≥ 2, got ${foldCount}`);
  const random = seededRandom(seed);
  const folds = new Int32Array(tasks.length);
  if (kind === 'random') {
    const order = shuffled(Array.from(tasks.keys()), random);
    order.forEach((rowIndex, position) => (folds[rowIndex] = position % foldCount));
    return folds;
  }
  const sizes = new Map<string, number>();
  for (const task of tasks) sizes.set(task, (sizes.get(task) ?? 0) + 1);
  if (sizes.size < foldCount) throw new RangeError(`task-grouped folds need at least ${foldCount} tasks, found ${sizes.size}`);
  // Largest tasks first, each to the currently smallest fold: folds of near-equal size.
  const order = shuffled([...sizes.keys()].sort(), random).sort((left, right) => sizes.get(right)! - sizes.get(left)!);
  const foldSizes = new Array<number>(foldCount).fill(0);
  const foldOfTask = new Map<string, number>();
  for (const task of order) {
    const smallest = foldSizes.indexOf(Math.min(...foldSizes));
    foldOfTask.set(task, smallest);
    foldSizes[smallest] += sizes.get(task)!;
  }
  tasks.forEach((task, rowIndex) => (folds[rowIndex] = foldOfTask.get(task)!));
  return folds;
}
