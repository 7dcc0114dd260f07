/**
 * `switchboard audit verify|list`: read the audit log in the store directly (the same database
 * `serve` uses), so it works with the gateway stopped.
 *
 * `verify` walks the hash chain from the first row and exits 1 naming the first row that does
 * not hold (edited, removed or reordered), 0 when the chain is intact.
 */
import type { Command } from 'commander';
import { openAuditLog } from '../../audit/open-audit-log.js';
import { parsePositiveNumber } from '../parse-options.js';
import { loadCommandConfig } from './cli-config.js';

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('The audit log of admin actions (key changes, …), a hash chain.');
  audit
    .command('verify')
    .description('Check the hash chain; exit 1 naming the first broken row.')
    .option('-c, --config <file>', 'config file (where the store is)')
    .option('--json', 'print JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const log = await openAuditLog(loadCommandConfig(options.config).storage.url);
      try {
        const result = await log.verify();
        if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.ok) process.stdout.write(`Audit chain intact: ${rows(result.rows)}.\n`);
        else process.stdout.write(`Audit chain broken at row ${result.broken.id}${result.broken.action ? ` (${result.broken.action})` : ''}: ${result.broken.reason}. The ${rows(result.rows)} before it ${result.rows === 1 ? 'is' : 'are'} intact.\n`);
        if (!result.ok) process.exitCode = 1;
      } finally {
        await log.close();
      }
    });
  audit
    .command('list')
    .description('Print the latest rows, newest first.')
    .option('-n, --limit <n>', 'rows to print (default 20)', parsePositiveNumber)
    .option('--action <action>', 'only this action, e.g. key.revoke')
    .option('-c, --config <file>', 'config file (where the store is)')
    .option('--json', 'print JSON')
    .action(async (options: { limit?: number; action?: string; config?: string; json?: boolean }) => {
      const log = await openAuditLog(loadCommandConfig(options.config).storage.url);
      try {
        const entries = await log.list({ limit: options.limit ?? 20, action: options.action });
        if (options.json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        for (const entry of entries) {
          process.stdout.write(`${entry.id}  ${new Date(entry.at).toISOString()}  ${entry.action}${entry.target ? ` ${entry.target}` : ''}  by ${entry.actor} from ${entry.address}\n`);
        }
        if (entries.length === 0) process.stdout.write('No audit rows yet.\n');
      } finally {
        await log.close();
      }
    });
}

function rows(count: number): string {
  return `${count} ${count === 1 ? 'row' : 'rows'}`;
}
