import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnthropicResponse } from '../../protocol/anthropic-messages-types.js';
import { sdkReplaying } from '../../testing/anthropic-sdk-replay.js';
import { messageAsEvents } from './replay-message.js';

describe('messageAsEvents', () => {
  it('streams a whole message so that the Anthropic SDK rebuilds it exactly, signatures and redacted thinking included', async () => {
    const recorded = JSON.parse(readFileSync(new URL('../../providers/anthropic/__fixtures__/anthropic-thinking.json', import.meta.url), 'utf8')) as AnthropicResponse;
    const message: AnthropicResponse = {
      ...recorded,
      content: [...recorded.content, { type: 'tool_use', id: 'toolu_1', name: 'calculator', input: { expression: '27*453' } }],
      stop_reason: 'tool_use',
    };
    const rebuilt = await sdkReplaying(messageAsEvents(message)).messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    const { content, stop_reason, stop_sequence, usage, id, model } = rebuilt;
    expect({ id, model, content, stop_reason, stop_sequence, usage }).toEqual({ id: message.id, model: message.model, content: message.content, stop_reason: 'tool_use', stop_sequence: null, usage: message.usage });
  });
});
