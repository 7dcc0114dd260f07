/**
 * `switchboard logs export`: a route's labelled comparisons (shadow tests graded by the judge or
 * by people) as a routing dataset, read from the store directly, so it works with the gateway
 * stopped. The file is the format of `../shared/datasets/routing/`: `router train`, `router cv`,
 * `router calibrate` and `eval` read it unchanged.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { exportComparisons, routingRowsText, type ExportedDataset } from '../../shadow/comparison-export.js';
import { ComparisonStore } from '../../shadow/comparison-store.js';
import { CommandInputError, guardedAction } from '../command-errors.js';
import { parseSince } from '../parse-options.js';
import { loadCommandConfig } from './cli-config.js';
import { say } from './router-inputs.js';

export interface LogsSourceOptions {
  route: string;
  since?: number;
  feedback?: boolean;
  config?: string;
}

/** Reads a route's labelled comparisons from the store named by the config; fails when there are none. */
export async function readLogsDataset(options: LogsSourceOptions): Promise<ExportedDataset> {
  const store = await ComparisonStore.open(loadCommandConfig(options.config).storage.url);
  try {
    const exported = await exportComparisons(store, { route: options.route, since: options.since, feedback: options.feedback });
    if (!exported) throw new CommandInputError(`no comparisons for route '${options.route}'${options.since ? ' in that period' : ''}: turn on shadow tests for it (shadow: {sample: …} on the route)`);
    if (exported.rows.length === 0) {
      throw new CommandInputError(`route '${options.route}' has ${exported.counts.unlabelled} comparisons but none labelled yet: configure a judge (judge: {model: …}), review some, or pass --feedback`);
    }
    return exported;
  } finally {
    await store.close();
  }
}

export function describeExport(exported: ExportedDataset): string {
  const { counts } = exported;
  const skipped = [counts.unlabelled > 0 ? `${counts.unlabelled} unlabelled` : '', counts.other_pair > 0 ? `${counts.other_pair} of an earlier model pair` : ''].filter(Boolean);
  return `${exported.rows.length} labelled comparisons (${counts.human} by people, ${counts.judge} by the judge${counts.feedback > 0 ? `, ${counts.feedback} by feedback` : ''}) of ${exported.weak} (weak) vs ${exported.strong} (strong)${skipped.length > 0 ? `; left out ${skipped.join(', ')}` : ''}`;
}

export function registerLogsCommand(program: Command): void {
  const logs = program.command('logs').description("Export the gateway's own traffic as training data.");
  const exportCommand = logs.command('export').description('Write a route\'s labelled comparisons as a routing dataset (JSONL, ../shared/datasets/routing/README.md).');
  exportCommand
    .requiredOption('--route <name>', 'the learned route whose comparisons to export')
    .option('--since <when>', 'only comparisons since then: 7d, 12h, 2w or a date', (value) => parseSince(value))
    .option('--feedback', "also label comparisons from callers' feedback (POST /v1/feedback) where no judge or person has")
    .requiredOption('--out <file>', 'where to write the dataset')
    .option('-c, --config <file>', 'config file (where the store is)')
    .action(
      guardedAction(exportCommand, async (options: LogsSourceOptions & { out: string }) => {
        const exported = await readLogsDataset(options);
        writeFileSync(options.out, routingRowsText(exported.rows));
        say(`wrote ${options.out}: ${describeExport(exported)}`);
      }),
    );
}
