/**
 * `switchboard keys create|list|revoke`: manage virtual keys in the store directly (the same
 * database `serve` uses), so it works with the gateway stopped and needs no admin key: access
 * to the database is the authority. `list` shows each key's spend against its budget. Running
 * gateways see a new key at once and a revocation within `governance.key_cache_ms`. Changes go
 * to the audit log as done by `cli:<os user>`.
 */
import type { Command } from 'commander';
import { cliActor } from '../../audit/audit-actor.js';
import { openAuditLog } from '../../audit/open-audit-log.js';
import { openKeyStore } from '../../governance/keys/open-key-store.js';
import { describeKey, keySettingsSchema, newVirtualKey } from '../../governance/keys/virtual-key.js';
import { describeUsage, keyUsage } from '../../governance/keys/key-usage.js';
import { openRequestLogStore } from '../../storage/open-store.js';
import { formatPath } from '../../protocol/chat-request-schema.js';
import { parsePositiveNumber } from '../parse-options.js';
import { loadCommandConfig } from './cli-config.js';

interface CreateOptions {
  name: string;
  budgetUsd?: number;
  budgetTokens?: number;
  period?: string;
  rpm?: number;
  tpm?: number;
  models?: string;
  team?: string;
  config?: string;
  json?: boolean;
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('Manage virtual keys (stored as hashes; a key is shown once).');
  keys
    .command('create')
    .description('Create a virtual key and print it once.')
    .requiredOption('--name <name>', 'a name people recognise, e.g. team-a')
    .option('--budget-usd <usd>', 'spend cap in USD per period', parsePositiveNumber)
    .option('--budget-tokens <tokens>', 'token cap per period', parsePositiveNumber)
    .option('--period <period>', 'budget window in UTC: day, week or month (default month)')
    .option('--rpm <n>', 'requests per minute', parsePositiveNumber)
    .option('--tpm <n>', 'tokens per minute', parsePositiveNumber)
    .option('--models <list>', 'comma-separated models and routes the key may use (default: all)')
    .option('--team <team>', 'team the key belongs to (team limits in switchboard.yaml)')
    .option('-c, --config <file>', 'config file (where the store is)')
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const parsed = keySettingsSchema.safeParse({
        name: options.name,
        budget_usd: options.budgetUsd,
        budget_tokens: options.budgetTokens,
        budget_period: options.period,
        rpm: options.rpm,
        tpm: options.tpm,
        models: options.models?.split(',').map((model) => model.trim()).filter(Boolean),
        team: options.team,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        command.error(`error: ${formatPath(issue.path).replace('budget_period', '--period')}: ${issue.message}`);
        return;
      }
      const storageUrl = loadCommandConfig(options.config).storage.url;
      const store = await openKeyStore(storageUrl);
      const audit = await openAuditLog(storageUrl);
      try {
        const { secret, key } = newVirtualKey(parsed.data);
        await store.insert(key);
        await audit.record('key.create', { ...cliActor(), target: key.id, after: describeKey(key) });
        if (options.json) process.stdout.write(`${JSON.stringify({ ...describeKey(key), key: secret }, null, 2)}\n`);
        else process.stdout.write(`Created ${key.id} (${key.name}). The key is shown only this once:\n\n  ${secret}\n\n`);
      } finally {
        await store.close();
        await audit.close();
      }
    });
  keys
    .command('list')
    .description('List keys (never their secrets).')
    .option('--all', 'include revoked keys')
    .option('-c, --config <file>', 'config file (where the store is)')
    .option('--json', 'print JSON')
    .action(async (options: { all?: boolean; config?: string; json?: boolean }) => {
      const storageUrl = loadCommandConfig(options.config).storage.url;
      const store = await openKeyStore(storageUrl);
      const log = await openRequestLogStore(storageUrl);
      try {
        const keys = await store.list({ includeRevoked: options.all });
        const usage = await keyUsage(log, keys);
        const list = keys.map((key) => {
          const spent = usage.get(key.id)!;
          return { ...describeKey(key), spend: { usd: spent.costUsd, tokens: spent.tokens, window_start: new Date(spent.window.start).toISOString(), window_end: new Date(spent.window.end).toISOString() } };
        });
        if (options.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        for (const key of list) {
          const limits = [...describeUsage(key, usage.get(key.id)!), key.rpm !== undefined ? `${key.rpm} rpm` : '', key.tpm !== undefined ? `${key.tpm} tpm` : ''].filter(Boolean);
          const state = key.revoked_at ? ' REVOKED' : '';
          process.stdout.write(`${key.id}  ${key.name}  ${key.key_hint}${key.team ? `  team=${key.team}` : ''}${key.models ? `  models=${key.models.join(',')}` : ''}  ${limits.join(', ')}${state}\n`);
        }
        if (list.length === 0) process.stdout.write('No keys yet: switchboard keys create --name NAME\n');
      } finally {
        await Promise.all([store.close(), log.close()]);
      }
    });
  keys
    .command('revoke <id>')
    .description('Revoke a key: requests with it get 401.')
    .option('-c, --config <file>', 'config file (where the store is)')
    .action(async (id: string, options: { config?: string }, command: Command) => {
      const storageUrl = loadCommandConfig(options.config).storage.url;
      const store = await openKeyStore(storageUrl);
      const audit = await openAuditLog(storageUrl);
      try {
        const key = await store.get(id);
        if (!key) return void command.error(`error: no key with id '${id}'`);
        const revoked = { ...key, revoked_at: key.revoked_at ?? Date.now(), updated_at: Date.now() };
        await store.replace(revoked);
        await audit.record('key.revoke', { ...cliActor(), target: id, before: describeKey(key), after: describeKey(revoked) });
        process.stdout.write(`Revoked ${id} (${key.name}).\n`);
      } finally {
        await store.close();
        await audit.close();
      }
    });
}
