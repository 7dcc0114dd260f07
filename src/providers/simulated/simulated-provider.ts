/**
 * Built-in simulated upstreams for `switchboard serve --simulate`: no key, no network, with
 * latency and usage shaped like the real model they stand in for. Every answer says it is
 * simulated, and simulated models are flagged so no quality figure is ever computed from them.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from '../../reliability/sleep.js';
import type { CancelSignal } from '../../reliability/cancel-signal.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import { estimateTokens, messagesText } from '../../cost/token-counter.js';
import type { CallOptions, ChatProvider, ProviderDeployment } from '../provider.js';

interface LatencyProfile {
  firstTokenMs: number;
  tokensPerSecond: number;
}

/** Roughly what the public latency trackers show for each class of model. */
const PROFILES: Record<'small' | 'large', LatencyProfile> = {
  small: { firstTokenMs: 250, tokensPerSecond: 90 },
  large: { firstTokenMs: 500, tokensPerSecond: 45 },
};

const ANSWERS = [
  'This is a simulated answer from Switchboard. Configure a real provider key to get real completions; the latency, token usage and cost you see here are modelled on the model this one stands in for.',
  'Simulated response: the gateway routed, priced and logged this request exactly as it would a real one. Open /api/requests to see the record, or /api/spend for totals.',
];

export class SimulatedProvider implements ChatProvider {
  readonly deployment: ProviderDeployment;
  private readonly profile: LatencyProfile;
  private readonly latencyScale: number;

  constructor(deployment: ProviderDeployment) {
    this.deployment = deployment;
    this.profile = /mini|haiku|flash|small|nano|8b/.test(deployment.model) ? PROFILES.small : PROFILES.large;
    // Tests set this to 0 to run at full speed.
    this.latencyScale = Number(process.env.SWITCHBOARD_SIMULATED_LATENCY_SCALE ?? 1);
  }

  private answerFor(request: ChatCompletionRequest): string {
    const text = `[simulated ${this.deployment.model}] ${ANSWERS[messagesText(request.messages).length % ANSWERS.length]}`;
    if (request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema') {
      return JSON.stringify({ simulated: true, model: this.deployment.model, answer: text });
    }
    return text;
  }

  private usageFor(request: ChatCompletionRequest, answer: string) {
    const promptTokens = estimateTokens(messagesText(request.messages)) + 3 * request.messages.length + 3;
    const limit = request.max_completion_tokens ?? request.max_tokens ?? Infinity;
    const completionTokens = Math.min(estimateTokens(answer), limit);
    return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  }

  private async wait(milliseconds: number, signal: CancelSignal | undefined): Promise<void> {
    if (this.latencyScale > 0 && !(await sleep(milliseconds * this.latencyScale, signal))) {
      throw new DOMException('The client closed the connection', 'AbortError');
    }
  }

  async chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion> {
    const answer = this.answerFor(request);
    const usage = this.usageFor(request, answer);
    await this.wait(this.profile.firstTokenMs + (usage.completion_tokens / this.profile.tokensPerSecond) * 1000, options.signal);
    return {
      id: `chatcmpl-sim-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.deployment.model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      usage,
    };
  }

  async streamChat(request: ChatCompletionRequest, options: CallOptions): Promise<AsyncIterable<ChatCompletionChunk>> {
    const answer = this.answerFor(request);
    const usage = this.usageFor(request, answer);
    const id = `chatcmpl-sim-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = this.deployment.model;
    const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null): ChatCompletionChunk => ({
      id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const words = answer.split(/(?<= )/);
    const perWordMs = (1000 / this.profile.tokensPerSecond) * (usage.completion_tokens / Math.max(1, words.length));
    await this.wait(this.profile.firstTokenMs, options.signal);
    const self = this;
    return (async function* () {
      yield chunk({ role: 'assistant', content: '' });
      for (const word of words) {
        yield chunk({ content: word });
        await self.wait(perWordMs, options.signal);
      }
      yield chunk({}, 'stop');
      yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage };
    })();
  }

  async embed(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const inputs = typeof request.input === 'string' ? [request.input] : (request.input as unknown[]).map(String);
    await this.wait(50, options.signal);
    const dimensions = request.dimensions ?? 256;
    const data = inputs.map((text, index) => ({ object: 'embedding' as const, index, embedding: pseudoEmbedding(text, dimensions) }));
    const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
    return { object: 'list', data, model: this.deployment.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }
}

/** A deterministic unit vector from the text, so equal inputs embed equally. */
function pseudoEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let index = 0; index < text.length; index++) vector[(text.charCodeAt(index) * 31 + index) % dimensions]! += 1;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/**
 * The models `--simulate` serves, under the names the README's examples send and priced like
 * the real models they imitate (the catalog knows these names).
 */
export const SIMULATED_MODELS = [
  { name: 'gpt-4o-mini', provider: 'simulated' as const, model: 'gpt-4o-mini', simulated: true },
  { name: 'gpt-4o', provider: 'simulated' as const, model: 'gpt-4o', simulated: true },
  { name: 'text-embedding-3-small', provider: 'simulated' as const, model: 'text-embedding-3-small', simulated: true },
];

/** Earlier releases named the simulated models `sim-…`; those names keep answering. */
export const SIMULATED_MODEL_ALIASES = SIMULATED_MODELS.map((model) => ({ ...model, name: `sim-${model.name}` }));
