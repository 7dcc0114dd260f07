/**
 * The guard input stage end to end: the official `openai` and `@anthropic-ai/sdk` clients → a
 * real gateway on loopback → fake upstreams speaking OpenAI's and Anthropic's wire formats. What
 * the fake upstream received shows what left the gateway; what the client got shows unmasking.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion, openAIStream } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const PHONE = '(415) 555-2671';
const SONNET = 'claude-sonnet-4-5-20250929';

let openaiUpstream: FakeUpstream;
let anthropicUpstream: FakeUpstream;
let harness: TestGateway;
let client: OpenAI;

/** Every personal value the tests send; none may reach an upstream where masking is on. */
function expectNoPersonalValues(text: string): void {
  for (const value of [EMAIL, CARD, '4111', PHONE, '555-2671']) expect(text).not.toContain(value);
}

const chunkBase = { id: 'chatcmpl-pii', object: 'chat.completion.chunk', created: 1741570283, model: 'gpt-4o-mini-2024-07-18' };
const chunk = (delta: unknown, finish: string | null = null) => JSON.stringify({ ...chunkBase, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });

/** Anthropic's own events, one SSE block each. */
function anthropicEvents(events: Array<Record<string, unknown>>): FakeReply {
  return { sse: events.map((event) => `event: ${event.type as string}\ndata: ${JSON.stringify(event)}`), headers: { 'content-type': 'text/event-stream; charset=utf-8' } };
}

function anthropicMessage(content: unknown[], stopReason = 'end_turn'): FakeReply {
  return { json: { id: 'msg_pii', type: 'message', role: 'assistant', model: SONNET, content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: 40, output_tokens: 12 } } };
}

async function loggedRecord(requestId: string): Promise<Record<string, any>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await adminRequest(harness.url, 'GET', `/api/requests/${requestId}`);
    if (response.status === 200) return response.body;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`request ${requestId} never reached the log`);
}

beforeAll(async () => {
  openaiUpstream = await FakeUpstream.start(() => openAICompletion());
  anthropicUpstream = await FakeUpstream.start(() => anthropicMessage([{ type: 'text', text: 'ok' }]));
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    storage: { log_bodies: true },
    guardrails: { pii: { action: 'mask' } },
    models: [
      { name: 'gpt', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1` },
      { name: 'claude', provider: 'anthropic', model: SONNET, base_url: anthropicUpstream.url, api_key: 'sk-ant-upstream' },
      { name: 'on-premises', provider: 'openai-compatible', model: 'llama', base_url: `${openaiUpstream.url}/v1`, guardrails: { pii: false } },
      { name: 'strict', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1`, guardrails: { pii: { action: 'block' } } },
    ],
    routes: [{ name: 'audited', strategy: 'fixed', model: 'gpt', guardrails: { pii: { action: 'log' } } }],
    timeouts: { connect_ms: 2000, first_token_ms: 5000, total_ms: 10000 },
    retry: { attempts: 1 },
  });
  client = clientFor(harness.url, ADMIN_KEY);
});

afterAll(async () => {
  await harness?.close();
  await openaiUpstream?.close();
  await anthropicUpstream?.close();
});

beforeEach(() => {
  openaiUpstream.setHandler(() => openAICompletion());
  anthropicUpstream.setHandler(() => anthropicMessage([{ type: 'text', text: 'ok' }]));
});

describe('PII masking on chat completions', () => {
  it('masks message text, content parts, tool-call arguments and tool results upstream, numbering the same value once, and restores the JSON answer', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: 'I wrote to <EMAIL_1> about card <CARD_1>; call <PHONE_1>.', toolCalls: [{ id: 'call_2', name: 'send_mail', arguments: '{"to":"<EMAIL_1>","note":"card <CARD_1>"}' }], finishReason: 'stop' }));
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt',
        messages: [
          { role: 'system', content: `The customer is ${EMAIL}.` },
          { role: 'user', content: [{ type: 'text', text: `My card ${CARD} was charged twice.` }, { type: 'image_url', image_url: { url: 'https://example.com/receipt.png' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_customer', arguments: JSON.stringify({ email: EMAIL }) } }] },
          { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ phone: PHONE, plan: 'pro' }) },
        ],
        tools: [{ type: 'function', function: { name: 'send_mail', parameters: { type: 'object', properties: { to: { type: 'string' } } } } }],
      })
      .withResponse();

    const sent = openaiUpstream.lastRequest;
    expectNoPersonalValues(sent.rawBody);
    expect(sent.body.messages[0].content).toBe('The customer is <EMAIL_1>.');
    expect(sent.body.messages[1].content[0].text).toBe('My card <CARD_1> was charged twice.');
    expect(sent.body.messages[1].content[1]).toEqual({ type: 'image_url', image_url: { url: 'https://example.com/receipt.png' } });
    expect(JSON.parse(sent.body.messages[2].tool_calls[0].function.arguments)).toEqual({ email: '<EMAIL_1>' });
    expect(JSON.parse(sent.body.messages[3].content)).toEqual({ phone: '<PHONE_1>', plan: 'pro' });

    expect(data.choices[0]!.message.content).toBe(`I wrote to ${EMAIL} about card ${CARD}; call ${PHONE}.`);
    expect(JSON.parse((data.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments)).toEqual({ to: EMAIL, note: `card ${CARD}` });
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_masked=4');

    const record = await loggedRecord(response.headers.get('x-request-id')!);
    expect(record.guardrails).toBe('pii_masked=4');
    expect(record.request_body).toContain('<EMAIL_1>');
    expect(record.response_body).toContain('<EMAIL_1>');
    expectNoPersonalValues(record.request_body + record.response_body);
  });

  it('restores a placeholder split across stream chunks, holding back only the split part', async () => {
    openaiUpstream.setHandler(() => openAIStream(['Sure, I wrote to <EMA', 'IL_1', '> and charged <CA', 'RD_1>', '. Done <b>now</b>.']));
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: `Email ${EMAIL} about ${CARD}.` }] }).withResponse();
    const deltas: string[] = [];
    for await (const part of stream) if (part.choices[0]?.delta.content) deltas.push(part.choices[0].delta.content);

    expectNoPersonalValues(openaiUpstream.lastRequest.rawBody);
    expect(deltas.join('')).toBe(`Sure, I wrote to ${EMAIL} and charged ${CARD}. Done <b>now</b>.`);
    // What cannot be part of a placeholder goes out with the chunk it came in.
    expect(deltas[0]).toBe('Sure, I wrote to ');
    expect(deltas).toContain('. Done <b>now</b>.');
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_masked=2');
  });

  it('restores placeholders in streamed tool-call argument deltas, JSON-escaped', async () => {
    openaiUpstream.setHandler(() => ({
      sse: [
        chunk({ role: 'assistant', content: null }),
        chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'send_mail', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"to":"<EM' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'AIL_1>","card":"<CARD_1' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '>"}' } }] }),
        chunk({}, 'tool_calls'),
        '[DONE]',
      ],
    }));
    const stream = await client.chat.completions.create({ model: 'gpt', stream: true, messages: [{ role: 'user', content: `Mail ${EMAIL} the receipt for ${CARD}.` }], tools: [{ type: 'function', function: { name: 'send_mail', parameters: { type: 'object' } } }] });
    let argumentsText = '';
    for await (const part of stream) argumentsText += part.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(argumentsText)).toEqual({ to: EMAIL, card: CARD });
  });

  it('blocks with a 400 pii_detected naming the entity types, never the values, and calls no upstream', async () => {
    const before = openaiUpstream.requests.length;
    const error = await client.chat.completions.create({ model: 'strict', messages: [{ role: 'user', content: `Card ${CARD}, mail ${EMAIL}` }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('pii_detected');
    expect(apiError.message).toContain('credit_card, email');
    expectNoPersonalValues(apiError.message);
    expect(openaiUpstream.requests.length).toBe(before);
    const record = await loggedRecord(apiError.headers!.get('x-request-id')!);
    expect(record).toMatchObject({ status: 400, error_code: 'pii_detected', guardrails: 'pii=blocked' });
  });

  it('applies a model\'s own setting (off) and a key\'s own setting (block) over the global one', async () => {
    await client.chat.completions.create({ model: 'on-premises', messages: [{ role: 'user', content: `Mail ${EMAIL}` }] });
    expect(openaiUpstream.lastRequest.body.messages[0].content).toBe(`Mail ${EMAIL}`);

    const { key } = await createKey(harness.url, { name: 'no-pii', guardrails: { pii: { action: 'block', entities: ['email'] } } });
    const keyed = clientFor(harness.url, key);
    const error = await keyed.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('pii_detected');
    // The key's entity list applies too: a card alone passes through that key, masked by nobody.
    await keyed.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `Card ${CARD}` }] });
    expect(openaiUpstream.lastRequest.body.messages[0].content).toBe(`Card ${CARD}`);
  });
});

describe('PII settings per route, and with a schema check', () => {
  it("applies a route's own setting (log): forwarded as written, counted in the header and the record", async () => {
    const { response } = await client.chat.completions.create({ model: 'audited', messages: [{ role: 'user', content: `Mail ${EMAIL} or ${PHONE}` }] }).withResponse();
    expect(openaiUpstream.lastRequest.body.messages[0].content).toBe(`Mail ${EMAIL} or ${PHONE}`);
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_found=2');
    expect((await loggedRecord(response.headers.get('x-request-id')!)).guardrails).toBe('pii_found=2');
  });

  it('validates a JSON answer that carries placeholders, then restores the values JSON-escaped', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: '{"email":"<EMAIL_1>","card":"<CARD_1>"}' }));
    const schema = { type: 'object', properties: { email: { type: 'string' }, card: { type: 'string' } }, required: ['email', 'card'], additionalProperties: false };
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt', messages: [{ role: 'user', content: `Extract: ${EMAIL}, ${CARD}` }], response_format: { type: 'json_schema', json_schema: { name: 'contact', schema } } })
      .withResponse();
    expectNoPersonalValues(openaiUpstream.lastRequest.rawBody);
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ email: EMAIL, card: CARD });
    expect(response.headers.get('x-switchboard-schema')).toBe('valid');
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_masked=2');
    expect((await loggedRecord(response.headers.get('x-request-id')!)).guardrails).toBe('pii_masked=2; schema=valid');
  });
});

describe('PII masking on /v1/messages (Anthropic pass-through)', () => {
  let anthropic: Anthropic;
  beforeAll(() => {
    anthropic = new Anthropic({ baseURL: harness.url, apiKey: ADMIN_KEY, maxRetries: 0 });
  });

  it('masks the body sent natively to Anthropic (tool_use input and tool_result too) and restores the native message', async () => {
    anthropicUpstream.setHandler(() => anthropicMessage([{ type: 'text', text: 'Sent to <EMAIL_1>.' }, { type: 'tool_use', id: 'toolu_2', name: 'send_mail', input: { to: '<EMAIL_1>', phone: '<PHONE_1>' } }], 'tool_use'));
    const { data: message, response } = await anthropic.messages
      .create({
        model: 'claude',
        max_tokens: 200,
        // Only the native pass-through carries top_k (a translated call refuses or drops it).
        ...({ top_k: 5 } as object),
        system: `Customer: ${EMAIL}`,
        messages: [
          { role: 'user', content: 'Look the customer up.' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { email: EMAIL } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `phone ${PHONE}` }, { type: 'text', text: 'Now mail them.' }] },
        ],
        tools: [{ name: 'send_mail', input_schema: { type: 'object' } }, { name: 'lookup', input_schema: { type: 'object' } }],
      })
      .withResponse();
    // Each occurrence counted once, though both the canonical request and the native body were masked.
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_masked=3');
    const sent = anthropicUpstream.lastRequest;
    expect(sent.path).toBe('/v1/messages');
    // Only the native pass-through carries top_k: the masked body is the one that went out.
    expect(sent.body.top_k).toBe(5);
    expectNoPersonalValues(sent.rawBody);
    expect(sent.body.system).toBe('Customer: <EMAIL_1>');
    expect(sent.body.messages[1].content[0].input).toEqual({ email: '<EMAIL_1>' });
    expect(sent.body.messages[2].content[0].content).toBe('phone <PHONE_1>');

    expect(message.id).toBe('msg_pii');
    expect(message.content[0]).toEqual({ type: 'text', text: `Sent to ${EMAIL}.` });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', input: { to: EMAIL, phone: PHONE } });
  });

  it('restores placeholders split across Anthropic text and input_json deltas in the native event stream', async () => {
    anthropicUpstream.setHandler(() =>
      anthropicEvents([
        { type: 'message_start', message: { id: 'msg_stream', type: 'message', role: 'assistant', model: SONNET, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 30, output_tokens: 1 } } },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Mailing <EMAI' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'L_1> now <EMAIL_' } },
        { type: 'content_block_stop', index: 0 },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_3', name: 'send_mail', input: {} } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"to": "<EM' } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'AIL_1>"}' } },
        { type: 'content_block_stop', index: 1 },
        { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } },
        { type: 'message_stop' },
      ]),
    );
    const stream = anthropic.messages.stream({ model: 'claude', max_tokens: 200, ...({ top_k: 5 } as object), messages: [{ role: 'user', content: `Mail ${EMAIL}` }], tools: [{ name: 'send_mail', input_schema: { type: 'object' } }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expectNoPersonalValues(anthropicUpstream.lastRequest.rawBody);
    expect(anthropicUpstream.lastRequest.body.messages[0].content).toBe('Mail <EMAIL_1>');
    expect(anthropicUpstream.lastRequest.body).toMatchObject({ top_k: 5, stream: true });
    expect(texts[0]).toBe('Mailing ');
    // A trailing `<EMAIL_` that never completed goes out as written when its block stops.
    expect(message.content[0]).toEqual({ type: 'text', text: `Mailing ${EMAIL} now <EMAIL_` });
    expect(message.content[1]).toMatchObject({ type: 'tool_use', input: { to: EMAIL } });
  });
});

describe('PII masking on /v1/responses', () => {
  it('masks the input upstream and restores the output text', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: 'Noted: <EMAIL_1>.' }));
    const response = await client.responses.create({ model: 'gpt', instructions: 'Be brief.', input: `My address is ${EMAIL}` });
    expectNoPersonalValues(openaiUpstream.lastRequest.rawBody);
    expect(JSON.stringify(openaiUpstream.lastRequest.body.messages)).toContain('<EMAIL_1>');
    expect(response.output_text).toBe(`Noted: ${EMAIL}.`);
  });

  it('restores a placeholder split across chunks in the Responses event stream', async () => {
    openaiUpstream.setHandler(() => openAIStream(['Noted: <EMA', 'IL_1', '>.']));
    const stream = await client.responses.create({ model: 'gpt', input: `My address is ${EMAIL}`, stream: true });
    const deltas: string[] = [];
    let completed = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') deltas.push(event.delta);
      if (event.type === 'response.completed') completed = JSON.stringify(event.response.output);
    }
    expectNoPersonalValues(openaiUpstream.lastRequest.rawBody);
    expect(deltas.join('')).toBe(`Noted: ${EMAIL}.`);
    expect(deltas[0]).toBe('Noted: ');
    expect(completed).toContain(`"text":"Noted: ${EMAIL}."`);
  });
});

describe('a detector that fails', () => {
  let failing: TestGateway;
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await FakeUpstream.start(() => openAICompletion());
    const throwing = { entity: 'email' as const, detect(): never { throw new Error('detector crashed'); } };
    failing = await startTestGateway(
      {
        guardrails: { pii: { action: 'mask', entities: ['email'] } },
        models: [
          { name: 'gpt', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${upstream.url}/v1` },
          { name: 'gpt-lenient', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${upstream.url}/v1`, guardrails: { pii: { on_error: 'pass' } } },
        ],
      },
      { gatewayOptions: { piiDetectors: [throwing] } },
    );
  });
  afterAll(async () => {
    await failing?.close();
    await upstream?.close();
  });

  it('refuses the request under on_error: block and never forwards it unchecked', async () => {
    const error = await failing.client.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('guardrail_failed');
    expect((error as Error).message).not.toContain('detector crashed');
    expect(upstream.requests).toHaveLength(0);
  });

  it('forwards it unmasked under on_error: pass, and says the check failed', async () => {
    const { response } = await failing.client.chat.completions.create({ model: 'gpt-lenient', messages: [{ role: 'user', content: `Mail ${EMAIL}` }] }).withResponse();
    expect(response.headers.get('x-switchboard-guardrails')).toBe('pii_check_failed');
    expect(upstream.lastRequest.body.messages[0].content).toBe(`Mail ${EMAIL}`);
  });
});
