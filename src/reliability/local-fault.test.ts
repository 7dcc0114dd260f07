/**
 * Issue 12, finding 7: a failure of our own (a stack overflow serialising a deep body, a bug in
 * a mapper) is not the deployment's. It is not retried, and never moves a deployment towards
 * cooldown; and a body nested thousands deep is refused with a 400 before it gets that far.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { InternalError } from '../errors/index.js';
import { ModelRegistry } from '../models/model-registry.js';
import { Dispatcher } from './dispatcher.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

describe('the dispatcher', () => {
  it('does not retry or count against health an error raised in this process', async () => {
    const config = validateConfig({ models: [{ name: 'm', provider: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1' }] }, 'test');
    const registry = new ModelRegistry(config);
    const dispatcher = new Dispatcher(registry, { connectMs: 1000, firstTokenMs: 1000, totalMs: 5000 }, { retry: config.retry, cooldown: config.cooldown });
    const model = registry.get('m')!;
    let calls = 0;
    for (let request = 0; request < 5; request++) {
      const attempts: never[] = [];
      const failure = await dispatcher
        .dispatch(model, { attempts }, () => {
          calls++;
          throw new RangeError('Maximum call stack size exceeded');
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InternalError);
    }
    expect(calls).toBe(5);
    expect(dispatcher.health.of(model.deployments[0]!.id).availability()).toBe('ready');
  });
});

describe('a request nested thousands deep', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    upstream = await FakeUpstream.start(healthy);
    gateway = await startTestGateway({ models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }] });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('is refused with a 400 naming the field, and never reaches or cools the deployment', async () => {
    // Built as text: JSON.stringify itself overflows at this depth (which is the point).
    const schema = '{"type":"object","properties":{"a":'.repeat(6000) + '{"type":"string"}' + '}}'.repeat(6000);
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"deep","parameters":${schema}}}]}`;
    for (let request = 0; request < 4; request++) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; param: string } };
      expect(error.code).toBe('json_too_deep');
      expect(error.param).toBe('tools[0].function.parameters.properties.a');
    }
    expect(upstream.requests).toHaveLength(0);
    // The deployment still serves everyone else.
    const answer = await gateway.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices).toHaveLength(1);
    const deployment = gateway.gateway.registry.get('gpt-4o-mini')!.deployments[0]!;
    expect(gateway.gateway.executor.dispatcher.health.of(deployment.id).availability()).toBe('ready');
  });
});
