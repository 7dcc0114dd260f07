/**
 * `switchboard router …`: train a learned router from routing datasets, calibrate a threshold
 * for a wanted share of strong calls, score a dataset, and cross-validate the training recipe.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_EMBEDDING_TABLE_PATH, sharedStaticEmbedder } from '../../embedding/default-embedder.js';
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import { crossValidate, type CrossValidationResult, type ValidationScheme } from '../../routing/evaluation/cross-validation.js';
import { createProgressBar } from '../../routing/evaluation/progress-bar.js';
import { calibrateThreshold } from '../../routing/evaluation/threshold-calibration.js';
import { DEFAULT_OTHER_DOMAIN_WEIGHT, trainLearnedRouter } from '../../routing/learned/train-domain-router.js';
import { DEFAULT_TRAINING } from '../../routing/learned/train-router.js';
import { isHeldOut } from '../../routing/learned/holdout.js';
import { serialiseRouterFile } from '../../routing/learned/router-file.js';
import { join } from 'node:path';
import type { RoutingDataset } from '../../routing/evaluation/routing-dataset.js';
import { readRouterFile } from '../../routing/learned/router-file.js';
import { benchmarkOf } from '../../routing/learned/training-labels.js';
import { CommandInputError, guardedAction } from '../command-errors.js';
import { collect, parsePositiveNumber, parseShare, parseSince } from '../parse-options.js';
import { describeExport, readLogsDataset } from './logs.js';
import { loadDatasets, loadRouterOption, say, scoreDataset } from './router-inputs.js';

interface TrainOptions {
  data?: string[];
  weak?: string;
  strong?: string;
  out: string;
  fromLogs?: boolean;
  route?: string;
  since?: number;
  feedback?: boolean;
  config?: string;
  base?: string;
  baseData?: string[];
  baseWeight: number;
  l2?: number;
  hashBits?: number;
  maxFeatures?: number;
  description?: string;
  excludeHoldout?: boolean;
  semantic: boolean;
  semanticFeatures?: boolean;
  semanticL2?: number;
  otherDomainWeight?: number;
  embeddingTable: string;
  weight?: Record<string, number>;
}

interface CalibrateOptions {
  router?: string;
  data: string[];
  strongShare: number;
  json?: boolean;
}

interface ScoreOptions {
  router?: string;
  data: string[];
  out: string;
}

interface CrossValidateOptions {
  data: string[];
  weak: string;
  strong: string;
  folds: number;
  seed: number;
  scheme?: ValidationScheme[];
  json?: boolean;
  otherWeak?: string[];
  semantic: boolean;
  semanticL2?: number;
  l2?: number;
  semanticFeatures?: boolean;
  otherDomainWeight?: number;
  embeddingTable: string;
  weight?: Record<string, number>;
}

/** `--weight alpaca=2`: a benchmark's row weight multiplier, collected into one record. */
function collectWeight(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^([^=]+)=(.+)$/.exec(value);
  const weight = match ? Number(match[2]) : NaN;
  if (!match || !Number.isFinite(weight) || weight < 0) throw new InvalidArgumentError('must be BENCHMARK=WEIGHT, such as mmlu=0.5');
  return { ...previous, [match[1]]: weight };
}

/** The embedder for `--embedding-table`, or undefined with `--no-semantic`. */
function embedderOption(options: { semantic: boolean; embeddingTable: string }): StaticEmbedder | undefined {
  return options.semantic ? sharedStaticEmbedder(options.embeddingTable) : undefined;
}

function parseInteger(minimum: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) throw new CommandInputError(`must be an integer ≥ ${minimum}, got "${value}"`);
    return number;
  };
}

const ROUTER_OPTION_HELP = 'router file (default: the shipped routers/default.json)';

export function registerRouterCommands(program: Command): void {
  const router = program.command('router').description('Train, calibrate, score and cross-validate learned routers.');

  const train = router.command('train').description('Train a learned router from routing datasets (JSONL, see ../shared/datasets/routing/README.md).');
  train
    .option('--data <file>', 'dataset file; repeat for several', collect)
    .option('--weak <model>', 'the cheap model, as named in the datasets')
    .option('--strong <model>', 'the strong model, as named in the datasets')
    .option('--from-logs', "train on a route's labelled comparisons (shadow tests) instead of --data: the export of `logs export` and training in one step")
    .option('--route <name>', 'with --from-logs: the learned route')
    .option('--since <when>', 'with --from-logs: only comparisons since then (7d, 12h, a date)', (value) => parseSince(value))
    .option('--feedback', "with --from-logs: also label comparisons from callers' feedback")
    .option('-c, --config <file>', 'with --from-logs: config file (where the store is)')
    .option('--base <router>', "with --from-logs: mix in the data a base router was trained on (its datasets found by name beside --base-data, or in ../shared/datasets/routing), its models renamed to the route's")
    .option('--base-data <file>', 'with --base: the base dataset files; repeat for several', collect)
    .option('--base-weight <weight>', "with --base: weight of the base rows against the team's own", parsePositiveNumber, 0.3)
    .requiredOption('--out <file>', 'where to write the router file')
    .option('--l2 <penalty>', `L2 penalty (default ${DEFAULT_TRAINING.l2})`, parsePositiveNumber)
    .option('--hash-bits <bits>', `log2 of n-gram hash buckets (default ${DEFAULT_TRAINING.hashBits})`, parseInteger(8))
    .option('--max-features <count>', `hashed weights kept (default ${DEFAULT_TRAINING.maxHashedFeatures})`, parseInteger(0))
    .option('--description <text>', 'description stored in the file')
    .option('--exclude-holdout', 'leave out the fixed held-out tenth of rows (by id hash), so the router can be tested on them')
    .option('--no-semantic', 'lexical features only: no static embedding of the prompt (for languages the table does not cover)')
    .option('--semantic-features', 'use the embedding as features of one model instead of as a gate over per-benchmark experts')
    .option('--semantic-l2 <penalty>', `with --semantic-features: L2 penalty on the embedding weights (default ${DEFAULT_TRAINING.semanticL2})`, parsePositiveNumber)
    .option('--other-domain-weight <weight>', `weight of the other benchmarks' rows in each domain expert (default ${DEFAULT_OTHER_DOMAIN_WEIGHT})`, parsePositiveNumber)
    .option('--embedding-table <file>', 'static embedding table; keep it beside the router file if it is not the shipped one', DEFAULT_EMBEDDING_TABLE_PATH)
    .option('--weight <benchmark=weight>', 'multiply the weight of a benchmark\'s rows (after balancing); repeat for several', collectWeight)
    .action(
      guardedAction(train, async (options: TrainOptions) => {
        const source = options.fromLogs ? await logsTrainingSource(options) : fileTrainingSource(options);
        const { weak, strong } = source;
        options = { ...options, weak, strong, weight: { ...source.weight, ...options.weight } };
        const datasets = source.datasets.map((dataset) =>
          options.excludeHoldout ? { ...dataset, rows: dataset.rows.filter((row) => !isHeldOut(row.id)) } : dataset,
        );
        const rows = datasets.flatMap((dataset) => dataset.rows);
        const embedder = embedderOption(options);
        const table = { file: basename(options.embeddingTable), sha256: embedder?.sha256 ?? '' };
        const file = trainLearnedRouter(rows, {
          semantic: embedder && options.semanticFeatures ? { embedder, table } : undefined,
          domains: embedder && !options.semanticFeatures ? { embedder, table, otherDomainWeight: options.otherDomainWeight } : undefined,
          semanticL2: options.semanticL2,
          benchmarkWeights: options.weight,
          weak,
          strong,
          l2: options.l2,
          hashBits: options.hashBits,
          maxHashedFeatures: options.maxFeatures,
          description: options.description,
          trainedOn: datasets.map((dataset) => ({ name: dataset.name, rows: dataset.rows.length })),
        });
        const text = serialiseRouterFile(file);
        writeFileSync(options.out, text);
        const semanticNote = file.domains
          ? `, ${file.domains.names.length} domain experts (${file.domains.names.join(', ')}) gated by ${file.embeddingTable!.file}`
          : file.semantic
            ? ` and ${file.semantic.weights.length} embedding weights (${file.embeddingTable!.file})`
            : '';
        say(`wrote ${options.out}: ${file.model.hashedWeights.length} n-gram weights${semanticNote}, ${(text.length / 1024).toFixed(0)} KiB, trained on ${datasets.map((dataset) => `${dataset.name} (${dataset.rows.length})`).join(', ')}`);
      }),
    );

  const calibrate = router.command('calibrate').description('Print the threshold that sends a given share of the data to the strong model.');
  calibrate
    .option('--router <file>', ROUTER_OPTION_HELP)
    .requiredOption('--data <file>', 'dataset whose prompts stand for your traffic; repeat for several', collect)
    .requiredOption('--strong-share <share>', 'wanted share of strong calls, 0..1', parseShare)
    .option('--json', 'print exactly {"threshold": …}')
    .action(
      guardedAction(calibrate, (options: CalibrateOptions) => {
        const { router: learned } = loadRouterOption(options.router);
        const datasets = loadDatasets(options.data);
        const scores = datasets.flatMap((dataset) => Array.from(scoreDataset(learned, dataset)));
        const calibration = calibrateThreshold(scores, options.strongShare);
        if (options.json) say(JSON.stringify({ threshold: calibration.threshold }));
        else say(`threshold ${calibration.threshold} sends ${(calibration.strongShare * 100).toFixed(1)}% of ${scores.length} prompts to ${learned.strong}`);
      }),
    );

  const score = router.command('score').description('Write one {"id","score"} line per row (higher = needs the strong model more).');
  score
    .option('--router <file>', ROUTER_OPTION_HELP)
    .requiredOption('--data <file>', 'dataset file; repeat for several', collect)
    .requiredOption('--out <file>', 'where to write the scores (JSONL)')
    .action(
      guardedAction(score, (options: ScoreOptions) => {
        const { router: learned } = loadRouterOption(options.router);
        const lines: string[] = [];
        for (const dataset of loadDatasets(options.data)) {
          const scores = scoreDataset(learned, dataset);
          dataset.rows.forEach((row, index) => lines.push(JSON.stringify({ id: row.id, score: scores[index] })));
        }
        writeFileSync(options.out, lines.join('\n') + '\n');
        say(`wrote ${lines.length} scores to ${options.out}`);
      }),
    );

  const crossValidation = router.command('cv').description('Cross-validate the training recipe and print a Markdown table of APGR and CPT per dataset.');
  crossValidation
    .requiredOption('--data <file>', 'dataset file; repeat for several (each is also held out in turn)', collect)
    .requiredOption('--weak <model>', 'the cheap model')
    .requiredOption('--strong <model>', 'the strong model')
    .option('--folds <count>', 'folds per dataset', parseInteger(2), 5)
    .option('--seed <number>', 'seed for fold assignment', parseInteger(0), 1)
    .addOption(new Option('--scheme <scheme>', 'validation view; repeat for several (default: all)').choices(['random-folds', 'task-folds', 'transfer']).argParser(collect))
    .option('--json', 'print the results as JSON')
    .option('--other-weak <model>', 'also judge the same routers against this weak model where a dataset has its scores (a pair they were not trained for); repeat for several', collect)
    .option('--no-semantic', 'lexical features only (to compare)')
    .option('--semantic-features', 'use the embedding as features of one model instead of as a gate over per-benchmark experts (to compare)')
    .option('--semantic-l2 <penalty>', `with --semantic-features: L2 penalty on the embedding weights (default ${DEFAULT_TRAINING.semanticL2})`, parsePositiveNumber)
    .option('--other-domain-weight <weight>', `weight of the other benchmarks' rows in each domain expert (default ${DEFAULT_OTHER_DOMAIN_WEIGHT})`, parsePositiveNumber)
    .option('--l2 <penalty>', `L2 penalty on n-gram weights (default ${DEFAULT_TRAINING.l2})`, parsePositiveNumber)
    .option('--embedding-table <file>', 'static embedding table', DEFAULT_EMBEDDING_TABLE_PATH)
    .option('--weight <benchmark=weight>', "multiply the weight of a benchmark's rows (after balancing); repeat for several", collectWeight)
    .action(
      guardedAction(crossValidation, (options: CrossValidateOptions) => {
        const datasets = loadDatasets(options.data, [options.weak, options.strong]);
        const embedder = embedderOption(options);
        const progress = createProgressBar('cross-validating', 1);
        let bar = progress;
        const results = crossValidate(datasets, {
          weak: options.weak,
          strong: options.strong,
          folds: options.folds,
          seed: options.seed,
          schemes: options.scheme,
          embedder,
          semanticUse: options.semanticFeatures ? 'features' : 'domains',
          otherDomainWeight: options.otherDomainWeight,
          otherWeakModels: options.otherWeak,
          training: { semanticL2: options.semanticL2, l2: options.l2, benchmarkWeights: options.weight },
          onProgress(done, total) {
            if (done === 1) bar = createProgressBar('cross-validating', total);
            bar.update(done);
          },
        });
        bar.finish();
        say(options.json ? JSON.stringify(results, null, 2) : crossValidationTable(results));
      }),
    );
}

interface TrainingSource {
  datasets: RoutingDataset[];
  weak: string;
  strong: string;
  /** Benchmark weights the source sets (base data mixed in below the team's own). */
  weight?: Record<string, number>;
}

function fileTrainingSource(options: TrainOptions): TrainingSource {
  if (!options.weak || !options.strong) throw new CommandInputError('give --weak and --strong (or --from-logs --route NAME)');
  return { datasets: loadDatasets(options.data, [options.weak, options.strong]), weak: options.weak, strong: options.strong };
}

/** A route's labelled comparisons, and with --base the base router's data renamed to the route's models. */
async function logsTrainingSource(options: TrainOptions): Promise<TrainingSource> {
  if (!options.route) throw new CommandInputError('--from-logs needs --route NAME');
  if (options.data) throw new CommandInputError('give either --data or --from-logs, not both');
  const exported = await readLogsDataset({ route: options.route, since: options.since, feedback: options.feedback, config: options.config });
  say(`from the logs: ${describeExport(exported)}`);
  const logs: RoutingDataset = { name: `logs-${options.route}`, path: `logs:${options.route}`, rows: exported.rows };
  if (!options.base) return { datasets: [logs], weak: exported.weak, strong: exported.strong };
  const base = readRouterFile(options.base);
  const paths = options.baseData ?? base.trainedOn.map((dataset) => join(DEFAULT_BASE_DATA_DIRECTORY, `${dataset.name}.jsonl`));
  const rename = (scores: Record<string, number>) => ({ [exported.weak]: scores[base.weak]!, [exported.strong]: scores[base.strong]! });
  const baseDatasets = loadDatasets(paths, [base.weak, base.strong]).map((dataset) => ({ ...dataset, rows: dataset.rows.map((row) => ({ ...row, scores: rename(row.scores), responses: undefined })) }));
  const logBenchmarks = new Set(exported.rows.map(benchmarkOf));
  const weight: Record<string, number> = {};
  for (const dataset of baseDatasets) for (const row of dataset.rows) if (!logBenchmarks.has(benchmarkOf(row))) weight[benchmarkOf(row)] = options.baseWeight;
  return { datasets: [logs, ...baseDatasets], weak: exported.weak, strong: exported.strong, weight };
}

/** Where `--base` finds the datasets a router was trained on, by name: the shared datasets beside the clone. */
const DEFAULT_BASE_DATA_DIRECTORY = '../shared/datasets/routing';

const SCHEME_NAMES: Record<ValidationScheme, string> = {
  'random-folds': 'random folds',
  'task-folds': 'held-out tasks',
  transfer: 'other datasets only',
};

/** A Markdown table of cross-validated figures with the prompt-length and random baselines beside them. */
export function crossValidationTable(results: readonly CrossValidationResult[]): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  const withSpread = (estimate: { mean: number; spread: number }, format: (value: number) => string): string =>
    estimate.spread > 0 ? `${format(estimate.mean)} ± ${format(estimate.spread).replace('%', '')}` : format(estimate.mean);
  const lines = [
    '| dataset | validation | splits | APGR | CPT(50%) | CPT(80%) | length APGR | length CPT(50%) | random APGR | random CPT(50%) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    lines.push(
      `| ${result.dataset}${result.trainedPair ? '' : ` (weak: ${result.weak}, not trained for)`} | ${SCHEME_NAMES[result.scheme]} | ${result.splits} | ${withSpread(result.router.apgr, (value) => value.toFixed(3))} | ${withSpread(result.router.cpt50, percent)} | ${withSpread(result.router.cpt80, percent)} | ${result.promptLength.apgr.mean.toFixed(3)} | ${percent(result.promptLength.cpt50.mean)} | 0.500 | 50.0% |`,
    );
  }
  return lines.join('\n');
}
