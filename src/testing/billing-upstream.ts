/**
 * A fake upstream that bills like a real provider: input tokens are what was actually sent
 * (messages, tool definitions, the response schema, counted with the o200k tokenizer, plus 1,000
 * tokens per image), and output uses everything the call allowed (`max_tokens`, or the model's
 * ceiling when none was sent). It speaks OpenAI chat and embeddings and Anthropic messages, so
 * budget tests can drive every path a request can take and compare spend with the budget.
 *
 * Upstream model ids with a meaning: `failing` answers 500 (to force a fallback); `liar`
 * reports a million completion tokens whatever it was allowed.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { FakeUpstream, type FakeReply, type FakeRequest } from './fake-upstream.js';
import { openAICompletion, openAIError } from './openai-replies.js';

/** What the fake bills per image, in the range real models bill a 1024-px image (765–1,600). */
export const IMAGE_TOKENS = 1000;
/** Output an OpenAI-format model writes when sent no max_tokens. */
const OPENAI_UNCAPPED_OUTPUT = 16_384;

export function startBillingUpstream(): Promise<FakeUpstream> {
  return FakeUpstream.start(billingReply);
}

export function billingReply(request: FakeRequest): FakeReply {
  const body = request.body ?? {};
  if (request.path.endsWith('/embeddings')) {
    const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
    const tokens = inputs.reduce((sum, text) => sum + countTokens(String(text)), 0);
    return { json: { object: 'list', data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })), model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  }
  if (request.path.endsWith('/messages')) {
    const input = billedInputTokens({ system: body.system, messages: body.messages, tools: body.tools });
    return {
      json: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model: body.model,
        content: [{ type: 'text', text: 'Billed in full.' }], stop_reason: 'max_tokens', stop_sequence: null,
        usage: { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: body.max_tokens },
      },
    };
  }
  if (body.model === 'failing') return openAIError(500, 'The server had an error while processing your request.', 'server_error', null);
  const promptTokens = billedInputTokens({ messages: body.messages, tools: body.tools, response_format: body.response_format });
  const allowed = body.max_completion_tokens ?? body.max_tokens ?? OPENAI_UNCAPPED_OUTPUT;
  const completionTokens = body.model === 'liar' ? 1_000_000 : allowed;
  return { ...openAICompletion({ model: body.model, promptTokens, completionTokens }), delayMs: 5 + Math.floor(Math.random() * 20) } as FakeReply;
}

/** Text tokens of everything sent, images replaced by their flat token cost. */
function billedInputTokens(sent: Record<string, unknown>): number {
  let images = 0;
  const text = JSON.stringify(sent, (key, value) => {
    if (value && typeof value === 'object' && (value.type === 'image_url' || value.type === 'image')) {
      images++;
      return '';
    }
    return value;
  });
  return countTokens(text) + images * IMAGE_TOKENS;
}
