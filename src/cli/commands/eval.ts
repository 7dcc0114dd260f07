/**
 * `switchboard eval`: judge a router on routing datasets. Prints, per dataset, each model's
 * quality, APGR and CPT next to the random and oracle references, and quality, threshold and
 * cost per 1,000 requests at 20/30/50% strong calls; `--json` prints the same numbers for
 * scripts and tests; `--plot` writes quality against the share of strong calls as SVG.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateDataset, type DatasetEvaluation } from '../../routing/evaluation/dataset-evaluation.js';
import { qualityPlotSvg } from '../../routing/evaluation/quality-plot-svg.js';
import { ASSUMED_OUTPUT_TOKENS } from '../../routing/evaluation/request-costs.js';
import type { RouterSummary } from '../../routing/evaluation/router-summary.js';
import { inSampleRows } from '../../routing/learned/training-rows.js';
import { guardedAction } from '../command-errors.js';
import { collect, parsePositiveNumber } from '../parse-options.js';
import { loadDatasets, loadRouterOption, say, scoreDataset } from './router-inputs.js';

interface EvalOptions {
  router?: string;
  data: string[];
  weak?: string;
  strong?: string;
  plot?: string;
  json?: boolean;
  outputTokens: number;
  includeTrained?: boolean;
}

/** How a dataset's rows split into ones the router was trained on and ones it never saw. */
export interface SampleSplit {
  inSample: number;
  heldOut: number;
  /** Which rows the figures are on: the held-out ones when there are any, unless `--include-trained`. */
  evaluated: 'held-out' | 'all';
}

export function registerEvalCommand(program: Command): void {
  const command = program.command('eval').description('Evaluate a router on routing datasets: quality, APGR, CPT and cost against random and oracle routing.');
  command
    .option('--router <file>', 'router file (default: the shipped routers/default.json)')
    .requiredOption('--data <file>', 'dataset file; repeat for several', collect)
    .option('--weak <model>', "the cheap model as named in the datasets (default: the router's)")
    .option('--strong <model>', "the strong model as named in the datasets (default: the router's)")
    .option('--plot <file>', 'write an SVG of quality against the share of strong calls')
    .option('--json', 'print the results as JSON')
    .option('--include-trained', 'judge every row, including rows the router was trained on (figures then overstate quality)')
    .option('--output-tokens <count>', 'output tokens assumed for rows without a recorded answer', parsePositiveNumber, ASSUMED_OUTPUT_TOKENS)
    .action(
      guardedAction(command, async (options: EvalOptions) => {
        const { router, path } = loadRouterOption(options.router);
        const weak = options.weak ?? router.weak;
        const strong = options.strong ?? router.strong;
        const evaluations: (DatasetEvaluation & { sample: SampleSplit })[] = [];
        for (const dataset of loadDatasets(options.data, [weak, strong])) {
          // Rows the router was trained on would flatter it: they are set apart by the prompt
          // hashes its file keeps, and the figures are on the rest unless asked otherwise.
          const trained = inSampleRows(router.trainingRows, dataset.rows);
          const inSample = trained.filter(Boolean).length;
          const heldOut = dataset.rows.length - inSample;
          const evaluated = inSample > 0 && heldOut > 0 && !options.includeTrained ? 'held-out' : 'all';
          const judged = evaluated === 'held-out' ? { ...dataset, rows: dataset.rows.filter((_row, index) => !trained[index]) } : dataset;
          const scores = scoreDataset(router, judged);
          const evaluation = await evaluateDataset(judged, scores, { weak, strong, assumedOutputTokens: options.outputTokens });
          evaluations.push({ ...evaluation, sample: { inSample, heldOut, evaluated } });
        }
        if (options.plot) writeFileSync(options.plot, qualityPlotSvg(evaluations.map((evaluation) => ({ ...evaluation, dataset: `${evaluation.dataset}${sampleNote(evaluation.sample)}` }))));
        if (options.json) {
          say(JSON.stringify({ router: path, evaluations: evaluations.map(({ curves: _curves, ...rest }) => rest) }, null, 2));
          return;
        }
        say(`router: ${path} (${router.description})`);
        for (const evaluation of evaluations) say('\n' + evaluationText(evaluation, options.outputTokens, evaluation.sample));
        if (options.plot) say(`\nplot written to ${options.plot}`);
      }),
    );
}

/** The human-readable report for one dataset (Markdown, so it pastes into an issue). */
export function evaluationText(evaluation: DatasetEvaluation, assumedOutputTokens: number, sample?: SampleSplit): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  const quality = (value: number): string => value.toFixed(3);
  const dollars = (value: number): string => `$${value.toFixed(value < 1 ? 4 : 2)}`;
  const summaryRow = (name: string, summary: RouterSummary): string =>
    `| ${name} | ${quality(summary.apgr)} | ${percent(summary.cpt50)} | ${percent(summary.cpt80)} | ${Object.values(summary.qualityAtShare).map(quality).join(' | ')} |`;
  const lines = [
    `## ${evaluation.dataset} (${evaluation.rows} rows${sample ? sampleNote(sample) : ''})`,
    ...(sample ? sampleLines(sample, evaluation) : []),
    `quality: ${evaluation.weak} ${quality(evaluation.router.weakQuality)}, ${evaluation.strong} ${quality(evaluation.router.strongQuality)}`,
    '',
    '| router | APGR | CPT(50%) | CPT(80%) | quality @20% | @30% | @50% |',
    '|---|---|---|---|---|---|---|',
    summaryRow('learned', evaluation.router),
    summaryRow('random', evaluation.random),
    summaryRow('oracle', evaluation.oracle),
    '',
    '| strong calls | threshold | quality | cost / 1,000 requests |',
    '|---|---|---|---|',
    `| 0% (all ${evaluation.weak}) | – | ${quality(evaluation.router.weakQuality)} | ${dollars(evaluation.costPer1000.allWeak)} |`,
    ...evaluation.operatingPoints.map((point) => `| ${percent(point.strongShare)} | ${point.threshold.toFixed(4)} | ${quality(point.quality)} | ${dollars(point.costPer1000)} |`),
    `| 100% (all ${evaluation.strong}) | – | ${quality(evaluation.router.strongQuality)} | ${dollars(evaluation.costPer1000.allStrong)} |`,
  ];
  const assumed = Object.entries(evaluation.assumedOutputRows).filter(([, count]) => count > 0);
  if (assumed.length > 0) lines.push('', `costs assume ${assumedOutputTokens} output tokens for rows without a recorded answer (${assumed.map(([model, count]) => `${model}: ${count}`).join(', ')})`);
  if (evaluation.unpricedModels.length > 0) lines.push(`not in the price catalog, counted as free: ${evaluation.unpricedModels.join(', ')}`);
  return lines.join('\n');
}

/** The heading's note on which rows were judged: " held out" figures, or an in-sample warning. */
function sampleNote(sample: SampleSplit): string {
  if (sample.inSample === 0) return '';
  if (sample.evaluated === 'held-out') return `, held out`;
  return sample.heldOut === 0 ? ', ALL IN-SAMPLE' : `, ${sample.inSample} in-sample`;
}

function sampleLines(sample: SampleSplit, evaluation: DatasetEvaluation): string[] {
  if (sample.inSample === 0) return [];
  const apgr = evaluation.router.apgr.toFixed(3);
  if (sample.evaluated === 'held-out') {
    return [`in-sample: ${sample.inSample} rows (the router was trained on them; left out); held out: ${sample.heldOut} rows, APGR ${apgr}. The figures below are on the held-out rows.`];
  }
  if (sample.heldOut === 0) return [`warning: the router was trained on all ${sample.inSample} rows: these figures are in-sample and overstate its quality; see its cross-validated figures instead.`];
  return [`warning: in-sample: ${sample.inSample} rows (the router was trained on them); held out: ${sample.heldOut} rows. --include-trained judges them together: APGR ${apgr} overstates quality.`];
}
