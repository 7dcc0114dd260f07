/**
 * The gateway's live routing matches the offline evaluation: a fake upstream replays the
 * recorded GSM8K answers of the weak and strong model, every dev prompt goes to `auto`, and
 * the accuracy, strong share and cost come out as `switchboard eval` predicted.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countPromptTokens, countTokens, loadTokenizer } from '../cost/token-counter.js';
import { buildProgram } from '../cli/program.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { readRoutingDataset, type RoutingRow } from './evaluation/routing-dataset.js';
import { predictAtThreshold } from './evaluation/predict-at-threshold.js';
import { DEFAULT_ROUTER_PATH, loadLearnedRouter } from './learned/index.js';

const DATASET = fileURLToPath(new URL('../../../shared/datasets/routing/gsm8k-dev.jsonl', import.meta.url));
const WEAK = 'mixtral-8x7b-instruct';
const STRONG = 'gpt-4-1106-preview';
const available = existsSync(DATASET);
if (!available && process.env.CI) throw new Error(`The routing dataset is missing at ${DATASET}: CI must have ../shared beside the clone.`);
if (!available) console.warn(`SKIPPED gsm8k replay test: ${DATASET} not found (../shared is not beside this clone).`);

describe.skipIf(!available)('learned routing over replayed GSM8K answers', () => {
  let rows: RoutingRow[];
  let upstream: FakeUpstream;
  let harness: TestGateway;
  let operatingPoint: { strongShare: number; threshold: number; quality: number; costPer1000: number };

  beforeAll(async () => {
    await loadTokenizer();
    rows = readRoutingDataset(DATASET, [WEAK, STRONG]).rows;
    const byPrompt = new Map(rows.map((row) => [row.prompt, row]));

    // What `switchboard eval` predicts at 30% strong calls, read from its JSON output. Every row
    // is replayed, so eval judges every row too, including those the router was trained on.
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(['node', 'switchboard', 'eval', '--data', DATASET, '--weak', WEAK, '--strong', STRONG, '--json', '--include-trained']);
    } finally {
      write.mockRestore();
    }
    const evaluation = JSON.parse(printed.join('')).evaluations[0];
    operatingPoint = evaluation.operatingPoints.find((point: { strongShare: number }) => point.strongShare === 0.3);

    upstream = await FakeUpstream.start((request) => {
      const prompt = request.body.messages[0].content as string;
      const row = byPrompt.get(prompt);
      if (!row) return { status: 400, json: { error: { message: 'unknown prompt', type: 'invalid_request_error', param: null, code: null } } };
      const answer = row.responses![request.body.model]!;
      return openAICompletion({ content: answer, model: request.body.model, promptTokens: countPromptTokens([{ role: 'user', content: prompt }]), completionTokens: countTokens(answer) });
    });
    const model = (name: string) => ({ name, provider: 'openai-compatible', base_url: `${upstream.url}/v1` });
    harness = await startTestGateway({
      models: [model(WEAK), model(STRONG)],
      routes: [{ name: 'auto', strategy: 'learned', weak: WEAK, strong: STRONG, threshold: operatingPoint.threshold }],
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await upstream?.close();
  });

  it('serves the accuracy, strong share and cost that eval predicts for the same threshold', async () => {
    let quality = 0;
    let strongCalls = 0;
    let cost = 0;
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const { data, response } = await harness.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: row.prompt }] }).withResponse();
        const served = response.headers.get('x-switchboard-model')!;
        // The answer served must be the recorded answer of the model that served it; its
        // recorded grade is then the quality of this response.
        expect(data.choices[0]!.message.content).toBe(row.responses![served]);
        quality += row.scores[served]!;
        if (served === STRONG) strongCalls++;
        cost += Number(response.headers.get('x-switchboard-cost-usd'));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    const live = { quality: quality / rows.length, strongShare: strongCalls / rows.length, costPer1000: (cost / rows.length) * 1000 };
    const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);
    const predicted = await predictAtThreshold(rows, rows.map((row) => router.score(row.prompt)), operatingPoint.threshold, { weak: WEAK, strong: STRONG });
    // Exactly the library prediction for this threshold…
    expect(live.strongShare).toBe(predicted.strongShare);
    expect(live.quality).toBeCloseTo(predicted.quality, 12);
    expect(live.costPer1000).toBeCloseTo(predicted.costPer1000, 6);
    // …and the operating point `switchboard eval` printed (same threshold; ties can move the share by a row or two).
    expect(Math.abs(live.strongShare - operatingPoint.strongShare)).toBeLessThanOrEqual(2 / rows.length);
    expect(Math.abs(live.quality - operatingPoint.quality)).toBeLessThanOrEqual(2 / rows.length);
    expect(Math.abs(live.costPer1000 - operatingPoint.costPer1000) / operatingPoint.costPer1000).toBeLessThan(0.01);
  }, 240_000);
});
