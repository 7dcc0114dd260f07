/**
 * `switchboard cost estimate`: daily and monthly cost per model and for a weak/strong mix,
 * from a traffic profile given as flags or (`--from-logs DAYS`) measured from the request log.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DAYS_PER_MONTH, projectMix, projectModel, type ModelProjection, type TrafficProfile } from '../../cost/cost-projection.js';
import { lookupPrice, type ModelPrice } from '../../cost/price-catalog.js';
import type { GatewayConfig } from '../../config/schema.js';
import { openRequestLogStore } from '../../storage/open-store.js';
import { parsePositiveNumber, parseShare } from '../parse-options.js';
import { loadCommandConfig } from './cli-config.js';

interface EstimateOptions {
  requestsPerDay?: number;
  tokensPerRequest?: number;
  inputShare?: number;
  models?: string[];
  weakShare?: number;
  fromLogs?: number;
  config?: string;
  json?: boolean;
}

export function registerCostCommand(program: Command): void {
  const cost = program.command('cost').description('Cost projections.');
  cost
    .command('estimate')
    .description('Daily and monthly cost per model and for a weak/strong mix (a month is 30 days).')
    .option('--requests-per-day <n>', 'requests a day', parsePositiveNumber)
    .option('--tokens-per-request <n>', 'tokens per request, input plus output', parsePositiveNumber)
    .option('--input-share <share>', 'share of tokens that are input, 0 to 1 (default 0.7)', parseShare)
    .option('--models <list>', 'comma-separated models, e.g. gpt-4o,gpt-4o-mini', (value: string) => value.split(',').map((name) => name.trim()).filter(Boolean))
    .option('--weak-share <share>', 'share of requests on the cheapest model in the mix, 0 to 1', parseShare)
    .option('--from-logs <days>', 'measure the traffic profile from the last DAYS days of the request log', parsePositiveNumber)
    .option('-c, --config <file>', 'config file (prices and the request log location)')
    .option('--json', 'print JSON')
    .action(async (options: EstimateOptions, command: Command) => {
      const config = loadCommandConfig(options.config);
      try {
        const { profile, models, observed } = options.fromLogs ? await profileFromLogs(config, options) : profileFromFlags(options);
        process.stdout.write(formatEstimate(config, profile, models, options.weakShare, observed, options.json));
      } catch (error) {
        if (error instanceof InvalidArgumentError) command.error(`error: ${error.message}`);
        throw error;
      }
    });
}

function profileFromFlags(options: EstimateOptions): { profile: TrafficProfile; models: string[]; observed?: undefined } {
  if (!options.requestsPerDay || !options.tokensPerRequest) throw new InvalidArgumentError('give --requests-per-day and --tokens-per-request, or --from-logs DAYS');
  if (!options.models?.length) throw new InvalidArgumentError('give --models, e.g. --models gpt-4o,gpt-4o-mini');
  return { profile: { requestsPerDay: options.requestsPerDay, tokensPerRequest: options.tokensPerRequest, inputShare: options.inputShare ?? 0.7 }, models: options.models };
}

/** The average day of the last `days` days: requests, tokens per request, input share, actual cost. */
async function profileFromLogs(config: GatewayConfig, options: EstimateOptions) {
  const days = options.fromLogs!;
  const store = await openRequestLogStore(config.storage.url);
  try {
    const from = Date.now() - days * 86_400_000;
    const byModel = await store.spend({ groupBy: 'model', from });
    const requests = byModel.reduce((sum, row) => sum + row.requests, 0);
    const prompt = byModel.reduce((sum, row) => sum + row.prompt_tokens, 0);
    const total = byModel.reduce((sum, row) => sum + row.total_tokens, 0);
    const cost = byModel.reduce((sum, row) => sum + row.cost_usd, 0);
    if (requests === 0 || total === 0) throw new InvalidArgumentError(`the request log has no traffic with tokens in the last ${days} days`);
    const models = options.models?.length ? options.models : byModel.map((row) => row.group).filter((name): name is string => Boolean(name));
    const profile = { requestsPerDay: requests / days, tokensPerRequest: total / requests, inputShare: prompt / total };
    return { profile, models, observed: { days, requests, dailyUsd: cost / days } };
  } finally {
    await store.close();
  }
}

export function priceFor(config: GatewayConfig, name: string): ModelPrice | undefined {
  const model = config.models.find((candidate) => candidate.name === name);
  return model?.price ?? lookupPrice(model?.model ?? name) ?? lookupPrice(name);
}

export function formatEstimate(config: GatewayConfig, profile: TrafficProfile, models: readonly string[], weakShare: number | undefined, observed?: { days: number; requests: number; dailyUsd: number }, json = false): string {
  const projections: ModelProjection[] = [];
  const unpriced: string[] = [];
  for (const name of models) {
    const price = priceFor(config, name);
    if (price) projections.push(projectModel(profile, name, price));
    else unpriced.push(name);
  }
  const mix = weakShare === undefined ? undefined : projectMix(projections, weakShare);
  if (json) return `${JSON.stringify({ profile, days_per_month: DAYS_PER_MONTH, models: projections, mix, observed, unpriced }, null, 2)}\n`;

  const number = (value: number) => Math.round(value).toLocaleString('en-US');
  const usd = (value: number) => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const tokensPerDay = profile.requestsPerDay * profile.tokensPerRequest;
  const lines = [
    `Traffic: ${number(profile.requestsPerDay)} requests/day × ${number(profile.tokensPerRequest)} tokens = ${number(tokensPerDay)} tokens/day ` +
      `(${Math.round(profile.inputShare * 100)}% input: ${number(tokensPerDay * profile.inputShare)} in, ${number(tokensPerDay * (1 - profile.inputShare))} out)`,
  ];
  if (observed) lines.push(`Measured over the last ${observed.days} days of the request log (${number(observed.requests)} requests); actual spend ${usd(observed.dailyUsd)}/day.`);
  const rows = [
    ['model', 'input $/1M', 'output $/1M', 'per day', `per month (${DAYS_PER_MONTH} d)`],
    ...projections.map((projection) => [projection.model, projection.price.input.toFixed(2), projection.price.output.toFixed(2), usd(projection.dailyUsd), usd(projection.monthlyUsd)]),
  ];
  if (mix) {
    rows.push([`mix: ${Math.round(mix.weakShare * 100)}% ${mix.weak} + ${Math.round((1 - mix.weakShare) * 100)}% ${mix.strong}`, '', '', usd(mix.dailyUsd), usd(mix.monthlyUsd)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) lines.push(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
  if (mix) lines.push(`The mix saves ${usd(mix.savedDailyUsd)}/day (${usd(mix.savedDailyUsd * DAYS_PER_MONTH)}/month) against sending everything to ${mix.strong}.`);
  if (unpriced.length > 0) lines.push(`No price known for: ${unpriced.join(', ')} (add price: to the model in switchboard.yaml).`);
  return `${lines.join('\n')}\n`;
}
