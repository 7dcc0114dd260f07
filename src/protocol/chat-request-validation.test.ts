/**
 * Stricter input, through a real gateway and the official `openai` client: request shapes no
 * provider accepts get a 400 naming the param and never reach the upstream; fields the gateway
 * does not know still pass through untouched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion());
  harness = await startTestGateway({
    models: [{ name: 'gpt-4o-mini', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${upstream.url}/v1`, price: { input: 0.15, output: 0.6 } }],
    retry: { attempts: 1 },
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

const user = (content: unknown) => ({ role: 'user', content });

/** Sends `messages` as they are (the SDK's types would not let most of them through). */
async function send(messages: unknown[]): Promise<{ status: number; param: string | null | undefined; code: string | null | undefined; message: string }> {
  try {
    await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    return { status: 200, param: undefined, code: undefined, message: '' };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError)) throw error;
    return { status: error.status ?? 0, param: error.param, code: error.code, message: error.message };
  }
}

const MALFORMED: Array<[string, unknown[], string, string]> = [
  ['an unknown content-part type', [user([{ type: 'video_url', video_url: { url: 'https://x/v.mp4' } }])], 'messages[0].content[0].type', 'invalid_value'],
  ['a content part without a type', [user([{ text: 'hi' }])], 'messages[0].content[0].type', 'missing_required_parameter'],
  ['a content part that is a string', [user(['hi'])], 'messages[0].content[0]', 'invalid_value'],
  ['an image_url that is null', [user([{ type: 'image_url', image_url: null }])], 'messages[0].content[0].image_url', 'invalid_value'],
  ['an image_url that is a bare string', [user([{ type: 'image_url', image_url: 'https://x/a.png' }])], 'messages[0].content[0].image_url', 'invalid_value'],
  ['an image_url that is {}', [user([{ type: 'image_url', image_url: {} }])], 'messages[0].content[0].image_url.url', 'missing_required_parameter'],
  ['an image_url without its object', [user([{ type: 'image_url' }])], 'messages[0].content[0].image_url', 'missing_required_parameter'],
  ['an empty image URL', [user([{ type: 'image_url', image_url: { url: '' } }])], 'messages[0].content[0].image_url.url', 'invalid_value'],
  ['an unknown image detail', [user([{ type: 'image_url', image_url: { url: 'https://x/a.png', detail: 'ultra' } }])], 'messages[0].content[0].image_url.detail', 'invalid_value'],
  ['a text part without text', [user([{ type: 'text' }])], 'messages[0].content[0].text', 'missing_required_parameter'],
  ['a text part whose text is a number', [user([{ type: 'text', text: 42 }])], 'messages[0].content[0].text', 'invalid_value'],
  ['an empty content array', [user([])], 'messages[0].content', 'invalid_value'],
  ['content that is an object', [user({ type: 'text', text: 'hi' })], 'messages[0].content', 'invalid_value'],
  ['a user message without content', [{ role: 'user' }], 'messages[0].content', 'missing_required_parameter'],
  ['an image in a system message', [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }, user('hi')], 'messages[0].content[0].type', 'invalid_value'],
  ['an image in a tool result', [user('hi'), { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }], 'messages[2].content[0].type', 'invalid_value'],
  ['a refusal part in a user message', [user([{ type: 'refusal', refusal: 'no' }])], 'messages[0].content[0].type', 'invalid_value'],
  ['audio without a format', [user([{ type: 'input_audio', input_audio: { data: 'UklGRg==' } }])], 'messages[0].content[0].input_audio.format', 'missing_required_parameter'],
  ['a file part with neither data nor id', [user([{ type: 'file', file: { filename: 'a.pdf' } }])], 'messages[0].content[0].file', 'invalid_value'],
  ['a tool message without tool_call_id', [user('hi'), { role: 'tool', content: '{"ok":true}' }], 'messages[1].tool_call_id', 'missing_required_parameter'],
  ['a tool message without content', [user('hi'), { role: 'tool', tool_call_id: 'c1' }], 'messages[1].content', 'missing_required_parameter'],
  ['a tool call whose arguments are an object', [user('hi'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { city: 'Paris' } } }] }], 'messages[1].tool_calls[0].function.arguments', 'invalid_value'],
  ['a tool call without an id', [user('hi'), { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }], 'messages[1].tool_calls[0].id', 'missing_required_parameter'],
  ['an unknown role', [{ role: 'human', content: 'hi' }], 'messages[0].role', 'invalid_value'],
  ['a message without a role', [{ content: 'hi' }], 'messages[0].role', 'missing_required_parameter'],
  ['a message that is a string', ['hi'], 'messages[0]', 'invalid_value'],
  ['a name that is not a string', [{ role: 'user', content: 'hi', name: 7 }], 'messages[0].name', 'invalid_value'],
];

describe('malformed messages', () => {
  for (const [what, messages, param, code] of MALFORMED) {
    it(`answers ${what} with 400 naming ${param}, and never calls the upstream`, async () => {
      const result = await send(messages);
      expect(result).toMatchObject({ status: 400, param, code });
      expect(upstream.requests).toHaveLength(0);
    });
  }

  it('says what is wrong and what is accepted', async () => {
    expect((await send([user([{ type: 'video_url' }])])).message).toBe("400 Invalid value for 'messages[0].content[0].type': 'video_url' is not a content part type; use one of text, image_url, input_audio, file.");
    expect((await send([{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }])).message).toBe(
      "400 Invalid value for 'messages[0].content[0].type': a system message cannot carry 'image_url' parts; it takes text.",
    );
    expect((await send([user('hi'), { role: 'tool', content: 'x' }])).message).toBe("400 Missing required parameter: 'messages[1].tool_call_id'.");
  });
});

describe('well-formed requests', () => {
  it('forwards every kind of valid message and part, with unknown fields at every level untouched', async () => {
    const messages = [
      { role: 'developer', content: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] },
      {
        role: 'user',
        name: 'jane',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        ],
        vendor_extension: { keep: true },
      },
      { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '{"a":1}' }] },
      { role: 'user', content: 'Thanks' },
    ];
    const body = { model: 'gpt-4o-mini', messages, reasoning_effort: 'low', some_future_param: { x: [1, 2] } };
    await harness.client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.lastRequest.body).toEqual({ ...body, model: 'gpt-4o-mini' });
  });

  it('still reports an invalid top-level field by name', async () => {
    try {
      await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], top_p: 3 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: 'top_p', code: 'invalid_value' });
    }
    const response = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } });
  });
});
