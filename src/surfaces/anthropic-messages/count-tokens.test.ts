import { readFileSync } from 'node:fs';
import { countTokens as o200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../errors/index.js';
import { countMessagesTokens, pdfPageCount } from './count-tokens.js';

const claudeCodeTurn = JSON.parse(readFileSync(new URL('./__fixtures__/claude-code-request.json', import.meta.url), 'utf8'));
const count = async (body: Record<string, unknown>) => (await countMessagesTokens({ model: 'claude-sonnet-4-5', ...body })).input_tokens;
const pdf = (pages: number) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Pages /Count ${pages} >>\n${'2 0 obj << /Type /Page /Parent 1 0 R >>\n'.repeat(pages)}%%EOF`).toString('base64');

describe('countMessagesTokens', () => {
  it('counts system, message and tool text with the o200k tokenizer, plus 3 tokens of framing a message', async () => {
    const tokens = await count({ system: 'You are terse.', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    expect(tokens).toBe(o200kTokens('You are terse.\nHow many tokens is this?\n') + 3);
  });

  it('adds Anthropic’s tool-use system prompt and each tool’s definition', async () => {
    const messages = [{ role: 'user', content: 'Weather?' }];
    const tool = { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };
    const without = await count({ messages });
    const definition = o200kTokens(`Weather?\nget_weather\nCurrent weather\n${JSON.stringify(tool.input_schema)}\n`) - o200kTokens('Weather?\n');
    expect((await count({ messages, tools: [tool] })) - without).toBe(346 + definition);
    expect((await count({ messages, tools: [tool], tool_choice: { type: 'any' } })) - without).toBe(313 + definition);
  });

  it('counts an image as 1,600 tokens and a PDF as 2,000 tokens a page', async () => {
    const text = { type: 'text', text: 'Compare these.' };
    const base = await count({ messages: [{ role: 'user', content: [text] }] });
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const document = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf(3) } };
    expect((await count({ messages: [{ role: 'user', content: [text, image] }] })) - base).toBe(1_600);
    expect((await count({ messages: [{ role: 'user', content: [text, document] }] })) - base).toBe(6_000);
  });

  it('counts thinking in the last assistant turn only, as Anthropic drops earlier turns’ thinking', async () => {
    const thinking = { type: 'thinking', thinking: 'Let me think about the weather in Paris in some detail.', signature: 'EqQB' };
    const turn = (withThinking: boolean) => ({ role: 'assistant', content: [...(withThinking ? [thinking] : []), { type: 'text', text: 'Sunny.' }] });
    const messages = (first: boolean, last: boolean) => [{ role: 'user', content: 'a' }, turn(first), { role: 'user', content: 'b' }, turn(last)];
    const plain = await count({ messages: messages(false, false) });
    expect(await count({ messages: messages(true, false) })).toBe(plain);
    expect(await count({ messages: messages(false, true) })).toBeGreaterThan(plain);
  });

  it('counts tool results and tool uses, and takes a Claude Code body without max_tokens', async () => {
    const { max_tokens: _maxTokens, stream: _stream, ...body } = claudeCodeTurn;
    const tokens = await count(body);
    const withoutToolTurns = await count({ ...body, messages: body.messages.slice(0, 1) });
    expect(tokens).toBeGreaterThan(withoutToolTurns);
  });

  it('answers 400 naming the field for an invalid body', async () => {
    const failure = await countMessagesTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect(failure).toMatchObject({ param: 'messages.0.content.0.source.media_type' });
  });
});

describe('pdfPageCount', () => {
  it('counts page objects, not the page tree, and at least one page', () => {
    expect(pdfPageCount(pdf(3))).toBe(3);
    expect(pdfPageCount(Buffer.from('%PDF-1.7 compressed object streams').toString('base64'))).toBe(1);
  });
});
