/**
 * Microbenchmark of the request-path steps the gateway adds to every call: body parsing,
 * validation, the routing decision of a `rules` route, cost, building the log record, its
 * enqueue, and its share of the batched SQLite write. The learned router's own decision has its
 * microbenchmark (`npm run bench:router`), so it is not repeated here.
 *
 *   npm run bench:micro [-- --iterations 200000]
 *
 * Writes bench/results/micro.md. Figures are CPU ns per call, median of five timed batches.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../src/config/load-config.js';
import { priceCall } from '../src/execution/priced-call.js';
import { ModelRegistry } from '../src/models/model-registry.js';
import { parseChatCompletionRequest } from '../src/protocol/chat-request-schema.js';
import type { ChatCompletionRequest } from '../src/protocol/chat-types.js';
import { RequestFacts } from '../src/routing/request-facts.js';
import type { RouteDecision } from '../src/routing/route-decision.js';
import { RouteTable } from '../src/routing/route-table.js';
import { RequestLogWriter } from '../src/storage/request-log-writer.js';
import { emptyRecord, type RequestRecord } from '../src/storage/request-record.js';
import { rowValuesFromRecord } from '../src/storage/record-columns.js';
import { newRequestId } from '../src/pipeline/request-id.js';
import { SqliteRequestLogStore } from '../src/storage/sqlite/sqlite-request-log-store.js';
import { GatewayMetrics } from '../src/observability/metrics/gateway-metrics.js';
import { REPO_ROOT } from './lib/targets.js';
import { cacheAddress } from '../src/cache/cache-key.js';
import { captureAnswer } from '../src/cache/answer-capture.js';
import type { CacheEntry } from '../src/cache/cache-entry.js';
import { hitOutcome } from '../src/cache/cache-hit.js';
import { SqliteCacheStore } from '../src/cache/sqlite-cache-store.js';
import { RequestScope } from '../src/pipeline/request-scope.js';
import type { ChatCompletion } from '../src/protocol/chat-types.js';
import { cacheStage } from '../src/cache/cache-stage.js';
import { SemanticCache } from '../src/cache/semantic-cache.js';
import { LeverTable } from '../src/pipeline/lever-settings.js';
import type { ChatOutcome } from '../src/pipeline/chat-outcome.js';
import pino from 'pino';
import { ChunkUnmasker, createPiiGuard, piiGuardrailSchema } from '../src/guardrails/pii/index.js';
import { PiiPolicy } from '../src/guardrails/pii/pii-policy.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '100000' }, out: { type: 'string' } } });
const iterations = Number(values.iterations);

const BODY = JSON.stringify({
  model: 'bench-route',
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'Say hello in one short sentence.' },
  ],
  max_tokens: 64,
  temperature: 0.2,
});
const CONVERSATION_BODY = JSON.stringify({
  model: 'bench-route',
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    ...Array.from({ length: 10 }, (_, index) => [
      { role: 'user', content: [{ type: 'text', text: `Look at picture ${index}.` }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: `call_${index}`, type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
      { role: 'tool', tool_call_id: `call_${index}`, content: '{"ok":true}' },
    ]).flat(),
  ],
});
const USAGE = { prompt_tokens: 13, completion_tokens: 9, total_tokens: 22, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };

const config = validateConfig(
  {
    models: [
      { name: 'bench-model', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk', price: { input: 0.15, output: 0.6 } },
      { name: 'bench-strong', provider: 'openai-compatible', model: 'gpt-4o', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk', price: { input: 2.5, output: 10 } },
    ],
    routes: [{ name: 'bench-route', strategy: 'rules', rules: [{ when: { headers: { 'x-switchboard-tier': 'premium' } }, model: 'bench-strong' }], default: 'bench-model', strong: 'bench-strong' }],
  },
  'micro',
);
const registry = new ModelRegistry(config);
const routes = new RouteTable(config.routes, registry, { configDirectory: REPO_ROOT });
const route = routes.get('bench-route') as unknown as { decide(facts: RequestFacts): RouteDecision } | undefined;
const deployment = registry.get('bench-model')!.deployments[0]!;

/**
 * Nanoseconds of CPU per call: median of five batches after a warm-up batch. CPU time, not wall
 * time, so other processes on a busy two-core machine do not count against a step.
 */
function measure(run: (index: number) => unknown): number {
  let sink: unknown;
  const batch = Math.max(1000, Math.floor(iterations / 5));
  for (let index = 0; index < batch; index++) sink = run(index);
  const results: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let index = 0; index < batch; index++) sink = run(index);
    const used = process.cpuUsage(started);
    results.push(((used.user + used.system) * 1000) / batch);
  }
  if (sink === Symbol.for('never')) process.stdout.write('');
  return results.sort((a, b) => a - b)[2]!;
}

/** The same for a step that returns a promise (run one after another). */
async function measureAsync(run: (index: number) => Promise<unknown>): Promise<number> {
  const batch = Math.max(1000, Math.floor(iterations / 5));
  for (let index = 0; index < batch; index++) await run(index);
  const results: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let index = 0; index < batch; index++) await run(index);
    const used = process.cpuUsage(started);
    results.push(((used.user + used.system) * 1000) / batch);
  }
  return results.sort((a, b) => a - b)[2]!;
}

const rows: Array<[string, number | string]> = [];
const parsed = JSON.parse(BODY) as unknown;
const request = parseChatCompletionRequest(parsed) as ChatCompletionRequest;
rows.push(['parse the JSON body', measure(() => JSON.parse(BODY))]);
rows.push(['validate (zod schema)', measure(() => parseChatCompletionRequest(parsed))]);
// A longer conversation: image parts, tool calls and tool results, as an agent sends them.
const conversation = JSON.parse(CONVERSATION_BODY) as unknown;
rows.push(['validate, 31 messages with parts and tool calls (not in the total)', measure(() => parseChatCompletionRequest(conversation))]);
if (route && typeof route.decide === 'function') {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk' };
  rows.push(['route (`rules`, one rule, default taken)', measure(() => route.decide(new RequestFacts(request, headers, null)))]);
} else {
  rows.push(['route (`rules`)', 'skipped: no rules route available in this build']);
}
// Guardrails (not in the total: they run only where configured). The PII policy with no setting
// is what every request pays; the rest is what a masked request adds.
const noPolicy = new PiiPolicy(validateConfig({ models: config.models }, 'micro'));
rows.push(['guardrails: PII policy lookup, no setting applies (not in the total)', measure(() => noPolicy.guardFor('bench-route', 'bench-route', { kind: 'anonymous' }))]);
const piiGuard = createPiiGuard(piiGuardrailSchema.parse({}));
rows.push(['guardrails: PII scan of the two-message request, nothing found (not in the total)', measure(() => piiGuard.inspect(request))]);
const personal = { ...request, messages: [...request.messages, { role: 'user' as const, content: 'Mail jane.doe@example.com, card 4111 1111 1111 1111.' }] };
rows.push(['guardrails: PII mask of that request plus an email and a card (not in the total)', measure(() => piiGuard.inspect(personal))]);
const masker = piiGuard.inspect(personal).unmasker!;
const plainChunk = { id: 'c', object: 'chat.completion.chunk' as const, created: 0, model: 'm', choices: [{ index: 0, delta: { content: ' the weather is mild today' }, finish_reason: null }] };
const splitChunks = ['Wrote to <EMA', 'IL_1> today'].map((content) => ({ ...plainChunk, choices: [{ index: 0, delta: { content }, finish_reason: null }] }));
const chunkUnmasker = new ChunkUnmasker(masker);
rows.push(['guardrails: unmask a stream chunk without a placeholder (not in the total)', measure(() => chunkUnmasker.transform(plainChunk))]);
rows.push(['guardrails: unmask a stream chunk, half a placeholder in each of two (not in the total)', measure((index) => chunkUnmasker.transform(splitChunks[index % 2]!))]);
rows.push(['cost (usage reported by upstream)', measure(() => priceCall(request, USAGE, 'Hello! How can I help you today?', deployment))]);
rows.push(['build the log record', measure((index) => emptyRecord(`req_${index}`, '/v1/chat/completions'))]);
const nullStore = { insertMany: async () => {}, spend: async () => [], recent: async () => [], seriesRows: async () => [], search: async () => [], find: async () => undefined, ping: async () => {}, close: async () => {} };
const writer = new RequestLogWriter(nullStore, { batchSize: 1_000_000, flushIntervalMs: 60_000 });
const record = emptyRecord('req_x', '/v1/chat/completions');
rows.push(['log enqueue', measure(() => writer.enqueue(record))]);
void writer.flush();
// Prometheus metrics, derived from the finished record in the log step (on by default).
const metrics = new GatewayMetrics(() => ({ registry, routes }));
const finished = emptyRecord('req_m', '/v1/chat/completions');
Object.assign(finished, { surface: 'chat-completions', requested_model: 'bench-route', served_model: 'bench-model', provider: 'openai-compatible', route: 'bench-route', route_decision: 'default', prompt_tokens: 13, completion_tokens: 9, cost_usd: 0.0000074, baseline_cost_usd: 0.00012, latency_ms: 1.2 });
finished.attempts = [{ deployment: 'bench-model#0', model: 'bench-model', provider: 'openai-compatible', status: 200, error_code: null, latency_ms: 0.9 }];
rows.push(['metrics from the finished record (Prometheus)', measure(() => metrics.observeRecord(finished))]);
rows.push(['record → row values (columns mapping)', measure(() => rowValuesFromRecord(record, { booleansAsIntegers: true }))]);

const directory = mkdtempSync(join(tmpdir(), 'switchboard-micro-'));
const store = new SqliteRequestLogStore(join(directory, 'micro.db'));
const batch: RequestRecord[] = [];
const sqlitePerRecord = measure(() => {
  const next = emptyRecord(newRequestId(), '/v1/chat/completions');
  next.requested_model = 'bench-route';
  next.served_model = 'bench-model';
  next.provider = 'openai-compatible';
  next.attempts = [{ deployment: 'bench-model#0', model: 'bench-model', provider: 'openai-compatible', status: 200, error_code: null, latency_ms: 0.4 }];
  batch.push(next);
  // The writer flushes in batches of 500; time the write at the same size.
  if (batch.length === 500) {
    void store.insertMany(batch);
    batch.length = 0;
  }
});
rows.push(['SQLite write, per record (batches of 500, WAL)', sqlitePerRecord]);
await store.close();
rmSync(directory, { recursive: true, force: true });

// The exact cache (docs/cache.md), off by default: what a miss and a hit add. Not in the total.
const cacheRows: Array<[string, number]> = [];
{
  const cacheDirectory = mkdtempSync(join(tmpdir(), 'switchboard-micro-cache-'));
  const cacheStore = new SqliteCacheStore(join(cacheDirectory, 'cache.db'), 10_000);
  const scope = new RequestScope('/v1/chat/completions');
  const exchange = { scope, surface: 'chat-completions' as const, request };
  const completion: ChatCompletion = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }], usage: USAGE };
  const call = { completion, model: registry.get('bench-model')!, deployment, cost: priceCall(request, USAGE, '', deployment) };
  const entryFor = (): CacheEntry => ({ created_at: Date.now(), expires_at: Date.now() + 3_600_000, served_model: 'bench-model', deployment: deployment.id, cost_usd: 0.0000074, answer: captureAnswer({ kind: 'completed', call, extraCost: 0, headers: {} }, 1 << 20).answer()! });
  const address = cacheAddress(exchange, 'key');
  cacheRows.push(['cache key (canonical JSON of the request, sha256)', measure(() => cacheAddress(exchange, 'key'))]);
  cacheRows.push(['cache lookup, SQLite, miss', measure((index) => cacheStore.get({ ...address, hash: `miss-${index}` }, Date.now()))]);
  cacheRows.push(['keep the answer (capture, entry, SQLite insert; 10,000-entry bound)', measure((index) => cacheStore.set({ ...address, hash: `h${index % 20_000}` }, entryFor()))]);
  await cacheStore.set(address, entryFor());
  cacheStore.flush();
  const stored = (await cacheStore.get(address, Date.now()))!;
  // `get` does its work before its first await, so calling it runs the read and the parse here.
  cacheRows.push(['cache hit: SQLite lookup, parse the entry, the answer as an outcome', measure(() => (void cacheStore.get(address, Date.now()), hitOutcome(stored, false, registry, {})))]);
  // The whole stage around a terminal step that answers at once, less that step alone: key,
  // lookup, capture, the entry kept, the finish hooks, and the batched writes at a steady rate.
  const cacheConfig = validateConfig({ ...config, cache: { enabled: true } }, 'micro');
  const stage = cacheStage({ config: cacheConfig.cache, store: cacheStore, levers: new LeverTable(cacheConfig), registry, logger: pino({ level: 'silent' }), semantic: new SemanticCache(cacheStore, async () => new Float32Array(0), 1) });
  const answer = async (): Promise<ChatOutcome> => ({ kind: 'completed', call, extraCost: 0, headers: {} });
  const through = (headers: Record<string, string>, staged: boolean) => async () => {
    const requestScope = new RequestScope('/v1/chat/completions', headers);
    const requestExchange = { scope: requestScope, surface: 'chat-completions' as const, request };
    await (staged ? stage.run(requestExchange, answer) : answer());
    await requestScope.finish(() => {});
  };
  const bare = await measureAsync(through({}, false));
  // `max-age=0`: the entry is found too old, so each request is a miss that stores again.
  const stagedMiss = (await measureAsync(through({ 'cache-control': 'max-age=0' }, true))) - bare;
  const stagedHit = (await measureAsync(through({}, true))) - bare;
  cacheRows.push(['the whole cache stage, a miss (JSON answer)', stagedMiss]);
  cacheRows.push(['the whole cache stage, a hit (JSON answer)', stagedHit]);
  await cacheStore.close();
  rmSync(cacheDirectory, { recursive: true, force: true });
}
const missTotal = cacheRows.slice(0, 3).reduce((sum, [, value]) => sum + value, 0);

const total = rows.reduce((sum, [step, value]) => sum + (typeof value === 'number' && !step.includes('(not in the total)') ? value : 0), 0);
const table = [
  '| step | CPU ns per call |',
  '|---|--:|',
  ...rows.map(([step, value]) => `| ${step} | ${typeof value === 'number' ? Math.round(value).toLocaleString('en-US') : value} |`),
  `| **total of the steps above** | **${Math.round(total).toLocaleString('en-US')}** |`,
  '',
  '| with the exact cache on (docs/cache.md) | CPU ns per call |',
  '|---|--:|',
  ...cacheRows.map(([step, value]) => `| ${step} | ${Math.round(value).toLocaleString('en-US')} |`),
  `| **a miss adds (key + lookup + keep, the first three rows)** | **${Math.round(missTotal).toLocaleString('en-US')}** |`,
].join('\n');
const report = `# Request-path microbenchmark\n\nRun ${new Date().toISOString()}, Node ${process.version}, ${iterations} iterations a step (\`npm run bench:micro\`).\n\n${table}\n\nThe learned router's decision is measured by \`npm run bench:router\`.\n`;
const outDirectory = values.out ?? join(REPO_ROOT, 'bench/results');
mkdirSync(outDirectory, { recursive: true });
writeFileSync(join(outDirectory, 'micro.md'), report);
process.stdout.write(`${table}\n\nWrote ${join(outDirectory, 'micro.md')}\n`);
