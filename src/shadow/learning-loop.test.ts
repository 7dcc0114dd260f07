/**
 * The whole learning loop loses nothing. Fake upstreams replay the recorded answers of the weak
 * and the strong model from `alpaca-dev.jsonl`, and a fake judge answers by each row's recorded
 * judge preference. Every prompt of the first half of the rows goes through a learned route with
 * `shadow.sample: 1`; the gateway shadows, judges (both orders), stores the labels; `switchboard
 * logs export` and `switchboard router train --from-logs` turn them into a router. That router
 * must score the same APGR on the other half, within 0.01, as a router trained directly on the
 * first half's dataset rows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../cli/program.js';
import { countPromptTokens, countTokens, loadTokenizer } from '../cost/token-counter.js';
import { averagePerformanceGapRecovered } from '../routing/evaluation/routing-metrics.js';
import { qualityCurve } from '../routing/evaluation/quality-curve.js';
import { routingOutcomes } from '../routing/evaluation/routing-outcomes.js';
import { parseRoutingRows, readRoutingDataset, type RoutingRow } from '../routing/evaluation/routing-dataset.js';
import { loadLearnedRouter } from '../routing/learned/learned-router.js';
import { FakeUpstream, type FakeRequest } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { ADMIN_KEY, adminRequest } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const DATASET = fileURLToPath(new URL('../../../shared/datasets/routing/alpaca-dev.jsonl', import.meta.url));
const WEAK = 'mixtral-8x7b-instruct';
const STRONG = 'gpt-4-1106-preview';
const JUDGE = 'judge-model';
const available = existsSync(DATASET);
if (!available && process.env.CI) throw new Error(`The routing dataset is missing at ${DATASET}: CI must have ../shared beside the clone.`);
if (!available) console.warn(`SKIPPED learning loop test: ${DATASET} not found (../shared is not beside this clone).`);

/** Runs the CLI in-process and returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'switchboard', ...args]);
  } finally {
    write.mockRestore();
  }
  return printed.join('');
}

function apgr(routerPath: string, rows: readonly RoutingRow[]): number {
  const router = loadLearnedRouter(routerPath);
  return averagePerformanceGapRecovered(qualityCurve(routingOutcomes(rows, WEAK, STRONG), rows.map((row) => router.score(row.prompt))));
}

/**
 * The fake judge: finds the row by the question, sees in which position each model's recorded
 * answer stands, and prefers the one the row's judge preferred. On a tie it always says "1",
 * as a judge with position bias would: only judging both orders turns that into a tie.
 */
function judgeReply(request: FakeRequest, byPrompt: Map<string, RoutingRow>) {
  const format = request.body.response_format;
  if (format?.type !== 'json_schema' || format.json_schema?.name !== 'verdict' || !format.json_schema.schema?.required?.includes('winner')) {
    return { status: 400, json: { error: { message: 'expected a verdict JSON schema', type: 'invalid_request_error', param: 'response_format', code: null } } };
  }
  const text: string = request.body.messages.at(-1).content;
  const question = /^\[Question\]\n([\s\S]*?)\n\n\[Answer 1\]\n/.exec(text)?.[1];
  const row = question === undefined ? undefined : byPrompt.get(question);
  if (!row) return { status: 400, json: { error: { message: 'unknown question', type: 'invalid_request_error', param: null, code: null } } };
  const weakFirst = text.indexOf(row.responses![WEAK]!) < text.indexOf(row.responses![STRONG]!);
  const weakScore = row.scores[WEAK]!;
  const winner = weakScore === 0.5 ? '1' : (weakScore > 0.5) === weakFirst ? '1' : '2';
  const content = JSON.stringify({ winner });
  return openAICompletion({ content, model: JUDGE, promptTokens: countTokens(text), completionTokens: countTokens(content) });
}

describe.skipIf(!available)('the learning loop over replayed AlpacaEval answers', () => {
  let rows: RoutingRow[];
  let served: RoutingRow[];
  let heldOut: RoutingRow[];
  let upstream: FakeUpstream;
  let harness: TestGateway;
  let directory: string;

  beforeAll(async () => {
    await loadTokenizer();
    rows = readRoutingDataset(DATASET, [WEAK, STRONG]).rows;
    served = rows.filter((_row, index) => index % 2 === 0);
    heldOut = rows.filter((_row, index) => index % 2 === 1);
    const byPrompt = new Map(rows.map((row) => [row.prompt, row]));
    upstream = await FakeUpstream.start((request) => {
      if (request.body.model === JUDGE) return judgeReply(request, byPrompt);
      const prompt = request.body.messages.at(-1).content as string;
      const row = byPrompt.get(prompt);
      if (!row) return { status: 400, json: { error: { message: 'unknown prompt', type: 'invalid_request_error', param: null, code: null } } };
      const answer = row.responses![request.body.model]!;
      return openAICompletion({ content: answer, model: request.body.model, promptTokens: countPromptTokens([{ role: 'user', content: prompt }]), completionTokens: countTokens(answer) });
    });
    directory = mkdtempSync(join(tmpdir(), 'switchboard-learning-'));
    const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai-compatible', base_url: `${upstream.url}/v1`, price });
    harness = await startTestGateway(
      {
        admin_key: ADMIN_KEY,
        models: [model(WEAK, { input: 0.6, output: 0.6 }), model(STRONG, { input: 10, output: 30 }), model(JUDGE, { input: 2.5, output: 10 })],
        routes: [{ name: 'auto', strategy: 'learned', weak: WEAK, strong: STRONG, threshold: 0.5, shadow: { sample: 1, max_concurrency: 64, budget_usd_per_day: 100 } }],
        judge: { model: JUDGE, sample: 1, swap_positions: true },
      },
      { apiKey: ADMIN_KEY, directory },
    );
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await upstream?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('trains, from the gateway\'s own labelled traffic, the router it would train from the dataset', async () => {
    const queue = [...served];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const completion = await harness.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: row.prompt }] });
        expect([row.responses![WEAK], row.responses![STRONG]]).toContain(completion.choices[0]!.message.content);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));

    // Wait for every comparison and its label.
    let comparisons: any[] = [];
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      comparisons = (await adminRequest(harness.url, 'GET', '/api/comparisons?route=auto&limit=1000')).body.data;
      if (comparisons.length === served.length && comparisons.every((comparison) => comparison.label !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(comparisons).toHaveLength(served.length);
    expect(comparisons.every((comparison) => comparison.label_source === 'judge' && comparison.judgement.calls === 2)).toBe(true);
    expect(comparisons[0].judgement.prompt_version).toBe('pairwise-v1');
    // The label is P(strong better), recovered exactly from the recorded preference.
    for (const comparison of comparisons) expect(comparison.label).toBe(1 - byPromptOf(served, comparison.prompt).scores[WEAK]!);
    // Judge calls are priced and reported apart from callers' spend.
    const spend = (await adminRequest(harness.url, 'GET', '/api/spend')).body;
    expect(spend.shadow.judge_calls).toBe(2 * served.length);
    expect(spend.shadow.judge_cost_usd).toBeGreaterThan(0);

    const config = join(directory, 'switchboard.yaml');
    writeFileSync(config, `storage:\n  url: sqlite://${harness.databasePath}\n`);
    const exported = join(directory, 'pairs.jsonl');
    expect(await cli('logs', 'export', '--route', 'auto', '--since', '7d', '--out', exported, '--config', config)).toMatch(/203 labelled comparisons \(0 by people, 203 by the judge\)/);
    const exportedRows = parseRoutingRows(readFileSync(exported, 'utf8'), exported);
    expect(exportedRows).toHaveLength(served.length);
    for (const row of exportedRows) {
      const original = byPromptOf(served, row.prompt);
      expect(row.scores).toEqual({ [WEAK]: original.scores[WEAK], [STRONG]: 0.5 });
      expect(row.responses).toEqual({ [WEAK]: original.responses![WEAK], [STRONG]: original.responses![STRONG] });
    }

    const fromLogs = join(directory, 'from-logs.json');
    await cli('router', 'train', '--from-logs', '--route', 'auto', '--config', config, '--out', fromLogs);
    const firstHalf = join(directory, 'first-half.jsonl');
    writeFileSync(firstHalf, served.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const direct = join(directory, 'direct.json');
    await cli('router', 'train', '--data', firstHalf, '--weak', WEAK, '--strong', STRONG, '--out', direct);

    const loop = apgr(fromLogs, heldOut);
    const reference = apgr(direct, heldOut);
    console.log(`APGR on the other half: router trained from the logs ${loop.toFixed(4)}, from the dataset rows ${reference.toFixed(4)}`);
    expect(Math.abs(loop - reference)).toBeLessThanOrEqual(0.01);

    // With --base, the base router's data (its models renamed to the route's) is mixed in, below the logs' weight.
    const mixed = join(directory, 'mixed.json');
    const gsm8k = fileURLToPath(new URL('../../../shared/datasets/routing/gsm8k-dev.jsonl', import.meta.url));
    await cli('router', 'train', '--from-logs', '--route', 'auto', '--config', config, '--base', 'routers/default.json', '--base-data', gsm8k, '--base-weight', '0.25', '--out', mixed);
    const mixedFile = JSON.parse(readFileSync(mixed, 'utf8'));
    expect(mixedFile.trainedOn).toEqual([{ name: 'logs-auto', rows: 203 }, { name: 'gsm8k-dev', rows: 660 }]);
    expect(mixedFile.domains.names).toEqual(['gsm8k', 'logs']);
    expect(mixedFile.training['weight:gsm8k']).toBe(0.25);
  }, 600_000);
});

function byPromptOf(rows: readonly RoutingRow[], prompt: string): RoutingRow {
  const row = rows.find((candidate) => candidate.prompt === prompt);
  if (!row) throw new Error(`no row with prompt ${prompt.slice(0, 40)}`);
  return row;
}
