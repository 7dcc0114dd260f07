/**
 * `switchboard review`: go through the human review queue in the terminal, one key per verdict
 * (src/review/review-terminal.ts). Reads and writes the store directly, like `keys` and `audit`,
 * so it works with the gateway stopped; verdicts are audited as the OS user.
 */
import type { Command } from 'commander';
import { cliActor } from '../../audit/audit-actor.js';
import { openAuditLog } from '../../audit/open-audit-log.js';
import { runReviewTerminal } from '../../review/review-terminal.js';
import { ComparisonStore } from '../../shadow/comparison-store.js';
import { parsePositiveNumber } from '../parse-options.js';
import { loadCommandConfig } from './cli-config.js';

export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('Review queued comparisons: prompt and both answers side by side; w = weak is OK, s = strong is better, b = both bad, n = skip, q = quit.')
    .option('--route <name>', 'only this route\'s queue')
    .option('-n, --limit <count>', 'most comparisons in this session (default 100)', parsePositiveNumber)
    .option('-c, --config <file>', 'config file (where the store is)')
    .action(async (options: { route?: string; limit?: number; config?: string }) => {
      const storageUrl = loadCommandConfig(options.config).storage.url;
      const store = await ComparisonStore.open(storageUrl);
      const audit = await openAuditLog(storageUrl);
      try {
        await runReviewTerminal({
          store,
          audit,
          actor: cliActor(),
          input: process.stdin,
          output: process.stdout,
          columns: process.stdout.columns ?? 120,
          color: process.stdout.isTTY === true && !process.env.NO_COLOR,
          route: options.route,
          limit: options.limit ?? 100,
        });
      } finally {
        await store.close();
        await audit.close();
      }
    });
}
