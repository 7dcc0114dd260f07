/**
 * `switchboard spend`: spend per group from the request log, read directly from the store
 * (SQLite or PostgreSQL, from the config), so it works whether or not the gateway is running.
 * The same numbers as GET /api/spend, savings included and split by lever (routing, cache, context).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openRequestLogStore } from '../../storage/open-store.js';
import { SPEND_GROUPS, type SpendGroup, type SpendRow } from '../../storage/request-log-store.js';
import { loadCommandConfig } from './cli-config.js';

export function registerSpendCommand(program: Command): void {
  program
    .command('spend')
    .description('Spend, tokens and savings per key, team, user, model, route or day.')
    .option('--group-by <group>', `one of ${SPEND_GROUPS.join(', ')}`, parseGroup, 'model' as SpendGroup)
    .option('--from <date>', 'from this date (2026-11-01) or ms since the epoch, inclusive', parseTime)
    .option('--to <date>', 'to this date, exclusive', parseTime)
    .option('-c, --config <file>', 'config file (where the request log is)')
    .option('--json', 'print JSON')
    .action(async (options: { groupBy: SpendGroup; from?: number; to?: number; config?: string; json?: boolean }) => {
      const store = await openRequestLogStore(loadCommandConfig(options.config).storage.url);
      try {
        const rows = await store.spend({ groupBy: options.groupBy, from: options.from, to: options.to });
        process.stdout.write(options.json ? `${JSON.stringify({ group_by: options.groupBy, data: rows }, null, 2)}\n` : formatSpend(options.groupBy, rows));
      } finally {
        await store.close();
      }
    });
}

export function formatSpend(groupBy: SpendGroup, rows: readonly SpendRow[]): string {
  const usd = (value: number) => `$${value.toFixed(6)}`;
  const total = (field: 'requests' | 'total_tokens' | 'cost_usd' | 'baseline_cost_usd' | 'saved_usd') => rows.reduce((sum, row) => sum + row[field], 0);
  const lever = (name: keyof SpendRow['saved_by_lever']) => rows.reduce((sum, row) => sum + row.saved_by_lever[name], 0);
  const table = [
    [groupBy, 'requests', 'tokens', 'cost_usd', 'baseline_cost_usd', 'saved_usd', 'routing', 'cache', 'context'],
    ...rows.map((row) => [
      row.group ?? '(none)', String(row.requests), String(row.total_tokens), usd(row.cost_usd), usd(row.baseline_cost_usd), usd(row.saved_usd),
      usd(row.saved_by_lever.routing), usd(row.saved_by_lever.cache), usd(row.saved_by_lever.context),
    ]),
    [
      'total', String(total('requests')), String(total('total_tokens')), usd(total('cost_usd')), usd(total('baseline_cost_usd')), usd(total('saved_usd')),
      usd(lever('routing')), usd(lever('cache')), usd(lever('context')),
    ],
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  return `${table.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')).join('\n')}\n`;
}

function parseGroup(value: string): SpendGroup {
  if (!(SPEND_GROUPS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${SPEND_GROUPS.join(', ')}`);
  return value as SpendGroup;
}

function parseTime(value: string): number {
  const number = Number(value);
  if (Number.isFinite(number)) return number;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError('must be a date such as 2026-11-01 or ms since the epoch');
  return parsed;
}
