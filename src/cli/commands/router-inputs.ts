/** Inputs shared by `router` and `eval`: the router file (default: the shipped one), datasets, scores. */
import { existsSync } from 'node:fs';
import { createProgressBar } from '../../routing/evaluation/progress-bar.js';
import { readRoutingDataset, type RoutingDataset } from '../../routing/evaluation/routing-dataset.js';
import { DEFAULT_ROUTER_PATH } from '../../routing/learned/default-router.js';
import { loadLearnedRouter, type LearnedRouter } from '../../routing/learned/learned-router.js';
import { CommandInputError } from '../command-errors.js';

export function loadRouterOption(path: string | undefined): { router: LearnedRouter; path: string } {
  const resolved = path ?? DEFAULT_ROUTER_PATH;
  if (path === undefined && !existsSync(resolved)) {
    throw new CommandInputError('no --router given and the default router is missing; build it with `npm run router:train-default`');
  }
  return { router: loadLearnedRouter(resolved), path: resolved };
}

export function loadDatasets(paths: readonly string[] | undefined, models: readonly string[] = []): RoutingDataset[] {
  if (!paths || paths.length === 0) throw new CommandInputError('give at least one --data FILE');
  return paths.map((path) => readRoutingDataset(path, models));
}

/** Scores every prompt of a dataset, with a progress bar on long runs. */
export function scoreDataset(router: LearnedRouter, dataset: RoutingDataset): Float64Array {
  const progress = createProgressBar(`scoring ${dataset.name}`, dataset.rows.length);
  const scores = new Float64Array(dataset.rows.length);
  dataset.rows.forEach((row, index) => {
    scores[index] = router.score(row.prompt);
    if (index % 256 === 0) progress.update(index);
  });
  progress.finish();
  return scores;
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
