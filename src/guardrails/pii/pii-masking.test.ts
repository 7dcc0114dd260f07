import { describe, expect, it } from 'vitest';
import { GuardrailFailedError, PiiDetectedError } from '../../errors/index.js';
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/chat-types.js';
import { piiGuardrailSchema } from './pii-config.js';
import { createPiiGuard } from './pii-guard.js';
import { PiiMasker } from './pii-masker.js';
import { PiiScanner } from './pii-scanner.js';
import { unmaskCompletion } from './unmask-completion.js';

const scanner = new PiiScanner();
const maskWith = (masker: PiiMasker, text: string) => masker.mask(text, scanner.scan(text));
const guard = (overrides: Record<string, unknown> = {}) => createPiiGuard(piiGuardrailSchema.parse(overrides));

describe('PiiMasker', () => {
  it('numbers placeholders per entity type and gives the same value the same number', () => {
    const masker = new PiiMasker();
    expect(maskWith(masker, 'From jane@example.com to bob@example.org, cc jane@example.com; call (415) 555-2671')).toBe('From <EMAIL_1> to <EMAIL_2>, cc <EMAIL_1>; call <PHONE_1>');
    expect(maskWith(masker, 'again: bob@example.org')).toBe('again: <EMAIL_2>');
    expect(masker.maskedCount).toBe(5);
    expect(masker.findings).toEqual({ email: 4, phone: 1 });
    expect(masker.size).toBe(3);
  });

  it('restores known placeholders and leaves unknown ones as written', () => {
    const masker = new PiiMasker();
    maskWith(masker, 'jane@example.com');
    expect(masker.unmask('Sent to <EMAIL_1>, not <EMAIL_2> or <b>.')).toBe('Sent to jane@example.com, not <EMAIL_2> or <b>.');
  });

  it('escapes values for JSON string content, so a private key keeps the JSON valid', () => {
    const masker = new PiiMasker();
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(maskWith(masker, `key: ${pem}`)).toBe('key: <SECRET_1>');
    const argumentsText = masker.unmask('{"key":"<SECRET_1>"}', 'json-string');
    expect(JSON.parse(argumentsText)).toEqual({ key: pem });
  });

  it('knows which fragments could still become one of its placeholders', () => {
    const masker = new PiiMasker();
    maskWith(masker, 'jane@example.com and 4111 1111 1111 1111');
    for (const fragment of ['<', '<E', '<EMAIL_', '<EMAIL_1', '<CA', '<CARD_']) expect(masker.couldBecomePlaceholder(fragment)).toBe(true);
    for (const fragment of ['<b', '<EMAIL_2', '<EMAIL_1>', '<PHONE_', '< 3']) expect(masker.couldBecomePlaceholder(fragment)).toBe(false);
  });
});

function chatRequest(): ChatCompletionRequest {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Support agent for account 4111 1111 1111 1111.' },
      { role: 'user', content: [{ type: 'text', text: 'I am jane@example.com, call (415) 555-2671' }, { type: 'image_url', image_url: { url: 'https://example.com/jane@example.com.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"email":"jane@example.com","note":"line\\njane@example.com"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"owner":"Jane","iban":"DE89 3704 0044 0532 0130 00","ip":"203.0.113.7"}' },
      { role: 'user', content: 'Thanks!' },
    ],
    temperature: 0.2,
  };
}

describe('PII guard, mask', () => {
  it('masks message text, text parts, tool-call arguments and tool results, leaving images and settings alone', () => {
    const request = chatRequest();
    const original = structuredClone(request);
    const inspection = guard().inspect(request);
    expect(inspection.request.messages).toEqual([
      { role: 'system', content: 'Support agent for account <CARD_1>.' },
      { role: 'user', content: [{ type: 'text', text: 'I am <EMAIL_1>, call <PHONE_1>' }, { type: 'image_url', image_url: { url: 'https://example.com/jane@example.com.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"email":"<EMAIL_1>","note":"line\\n<EMAIL_1>"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"owner":"Jane","iban":"<IBAN_1>","ip":"<IP_1>"}' },
      { role: 'user', content: 'Thanks!' },
    ]);
    expect(inspection.request.temperature).toBe(0.2);
    expect(inspection.findings).toEqual({ credit_card: 1, email: 3, phone: 1, iban: 1, ip_address: 1 });
    expect(inspection.header).toBe('pii_masked=7');
    // The caller's request is untouched, and unchanged messages are shared, not copied.
    expect(request).toEqual(original);
    expect(inspection.request.messages[4]).toBe(request.messages[4]);
  });

  it('returns the same request object and no unmasker when there is nothing to mask', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Order 12345 shipped v1.2.3 at 12:30.' }] };
    const inspection = guard().inspect(request);
    expect(inspection.request).toBe(request);
    expect(inspection.unmasker).toBeUndefined();
    expect(inspection.header).toBeUndefined();
  });

  it('unmasks the answer: content, and tool-call arguments as JSON', () => {
    const inspection = guard().inspect(chatRequest());
    const completion: ChatCompletion = {
      id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Emailing <EMAIL_1> about <IBAN_1>.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'send', arguments: '{"to":"<EMAIL_1>","phone":"<PHONE_1>"}' } }] } }],
    };
    const frozen = structuredClone(completion);
    const unmasked = unmaskCompletion(completion, inspection.unmasker!);
    expect(unmasked.choices[0]!.message.content).toBe('Emailing jane@example.com about DE89 3704 0044 0532 0130 00.');
    expect(JSON.parse(unmasked.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({ to: 'jane@example.com', phone: '(415) 555-2671' });
    expect(completion).toEqual(frozen);
  });

  it('leaves placeholders in the answer when unmask is off', () => {
    const inspection = guard({ unmask: false }).inspect(chatRequest());
    expect(inspection.request.messages[0]!.content).toBe('Support agent for account <CARD_1>.');
    expect(inspection.unmasker).toBeUndefined();
  });

  it('masks only the configured entities', () => {
    const inspection = guard({ entities: ['email'] }).inspect(chatRequest());
    expect(inspection.findings).toEqual({ email: 3 });
    expect(inspection.request.messages[0]!.content).toBe('Support agent for account 4111 1111 1111 1111.');
  });
});

describe('PII guard, block and log', () => {
  it('blocks with a 400 pii_detected naming the entity types, never the values', () => {
    let caught: unknown;
    try {
      guard({ action: 'block' }).inspect(chatRequest());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PiiDetectedError);
    const error = caught as PiiDetectedError;
    expect(error).toMatchObject({ status: 400, code: 'pii_detected', type: 'invalid_request_error' });
    expect(error.entities).toEqual(['credit_card', 'email', 'iban', 'ip_address', 'phone']);
    for (const value of ['jane@example.com', '4111', '555-2671', 'DE89', '203.0.113.7']) expect(error.message).not.toContain(value);
  });

  it('lets a clean request through under block', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Hello' }] };
    expect(guard({ action: 'block' }).inspect(request).request).toBe(request);
  });

  it('counts without changing the request under log', () => {
    const request = chatRequest();
    const inspection = guard({ action: 'log' }).inspect(request);
    expect(inspection.request).toBe(request);
    expect(inspection.findings).toEqual({ credit_card: 1, email: 3, phone: 1, iban: 1, ip_address: 1 });
    expect(inspection.header).toBe('pii_found=7');
    expect(inspection.unmasker).toBeUndefined();
  });
});

describe('PII guard, detector failure', () => {
  const failing = [{ entity: 'email' as const, detect: (): never => { throw new Error('detector bug'); } }];

  it('refuses the request under on_error: block (the default), keeping the cause for the log', () => {
    const broken = createPiiGuard(piiGuardrailSchema.parse({}), { detectors: failing });
    let caught: unknown;
    try {
      broken.inspect(chatRequest());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GuardrailFailedError);
    expect(caught).toMatchObject({ status: 500, code: 'guardrail_failed', guardrail: 'pii' });
    expect(((caught as Error).cause as Error).message).toBe('detector bug');
  });

  it('forwards the request unmasked under on_error: pass, and says so', () => {
    const broken = createPiiGuard(piiGuardrailSchema.parse({ on_error: 'pass' }), { detectors: failing });
    const request = chatRequest();
    const inspection = broken.inspect(request);
    expect(inspection.request).toBe(request);
    expect(inspection.header).toBe('pii_check_failed');
    expect((inspection.failure as Error).message).toBe('detector bug');
  });
});
