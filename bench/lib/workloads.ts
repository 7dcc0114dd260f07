/**
 * What the benchmark sends, and what the fake upstream answers, in its two workloads:
 *
 * - `routed` (the bench's first scenario, kept so runs compare across days): a short chat body
 *   sent to a `rules` route, answered with a short compact completion.
 * - `realistic` (issue #20): the request and answer of an ordinary OpenAI call. A system and a
 *   user message, `temperature: 0.7`, `max_tokens: 128`, sent to one model by name (no route),
 *   and answered with OpenAI's full `chat.completion` as the API sends it: pretty-printed,
 *   868 bytes (652 compact), with `usage.prompt_tokens_details`, `completion_tokens_details`,
 *   `service_tier` and `system_fingerprint`; streams carry the same fields in every chunk.
 *
 * The fake upstream tells the two apart by path: `/full/v1/…` answers in the realistic shape,
 * so every proxy in front of it (nginx, the bare undici proxy, Portkey's custom host) carries
 * the realistic case by its upstream URL alone.
 */
export type Workload = 'routed' | 'realistic';
export const WORKLOADS: readonly Workload[] = ['routed', 'realistic'];

/** The upstream path prefix the fake answers in the realistic shape. */
export const REALISTIC_PREFIX = '/full';

export function requestBody(model: string, mode: 'json' | 'stream', workload: Workload = 'routed'): string {
  const body: Record<string, unknown> =
    workload === 'routed'
      ? {
          model,
          messages: [
            { role: 'system', content: 'You are a concise assistant.' },
            { role: 'user', content: 'Say hello in one short sentence.' },
          ],
          max_tokens: 64,
          temperature: 0.2,
        }
      : {
          model,
          messages: [
            { role: 'system', content: 'You are a helpful assistant. Answer briefly and precisely.' },
            { role: 'user', content: 'What is the capital of France, and what river runs through it?' },
          ],
          temperature: 0.7,
          max_tokens: 128,
        };
  if (mode === 'stream') {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

/** OpenAI's non-streamed answer as the API sends it (indented two spaces): 868 bytes. */
export const REALISTIC_COMPLETION = JSON.stringify(
  {
    id: 'chatcmpl-BkX7rQ3mZt9vN2pLwYcE4sHfA1uDo',
    object: 'chat.completion',
    created: 1_750_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'The capital of France is Paris, and the Seine runs through it.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 31,
      completion_tokens: 15,
      total_tokens: 46,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_34a54ae93c',
  },
  null,
  2,
);

/** The short compact answer of the `routed` workload. */
export const ROUTED_COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 13, completion_tokens: 9, total_tokens: 22, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  system_fingerprint: 'fp_bench',
});

export const STREAM_CONTENT_CHUNKS = 20;

/** The SSE events of a streamed answer: 20 content chunks, a usage chunk and `[DONE]`. */
export function streamEvents(workload: Workload): string[] {
  const realistic = workload === 'realistic';
  const base = realistic
    ? { id: 'chatcmpl-BkX7rQ3mZt9vN2pLwYcE4sHfA1uDo', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'gpt-4o-mini-2024-07-18', service_tier: 'default', system_fingerprint: 'fp_34a54ae93c' }
    : { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_bench' };
  const events: string[] = [];
  for (let index = 0; index < STREAM_CONTENT_CHUNKS; index++) {
    const delta = index === 0 ? (realistic ? { role: 'assistant', content: '', refusal: null } : { role: 'assistant', content: 'Hello' }) : { content: ` w${index}` };
    const last = index === STREAM_CONTENT_CHUNKS - 1;
    events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: last ? 'stop' : null }], usage: null }));
  }
  const usage = realistic
    ? {
        prompt_tokens: 31,
        completion_tokens: STREAM_CONTENT_CHUNKS,
        total_tokens: 31 + STREAM_CONTENT_CHUNKS,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      }
    : { prompt_tokens: 13, completion_tokens: STREAM_CONTENT_CHUNKS, total_tokens: 13 + STREAM_CONTENT_CHUNKS };
  events.push(JSON.stringify({ ...base, choices: [], usage }));
  events.push('[DONE]');
  return events.map((data) => `data: ${data}\n\n`);
}
