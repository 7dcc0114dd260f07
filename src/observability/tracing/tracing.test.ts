import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { openAIError } from '../../testing/openai-replies.js';
import { OtlpReceiver, type ReceivedSpan } from '../../testing/otlp-receiver.js';
import { startTestGateway } from '../../testing/test-gateway.js';
import { telemetrySettings } from './telemetry-settings.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('OpenTelemetry traces', () => {
  let receiver: OtlpReceiver;
  let upstream: FakeUpstream;
  let failNext = 0;

  beforeAll(async () => {
    // The span processor's export delay (5 s by default), read from the standard variable.
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    receiver = await OtlpReceiver.start();
    upstream = await FakeUpstream.start((request) => (failNext-- > 0 ? openAIError(503, 'overloaded', 'server_error', null) : healthy(request)));
  });

  afterAll(async () => {
    delete process.env.OTEL_BSP_SCHEDULE_DELAY;
    await upstream.close();
    await receiver.close();
  });

  const models = () => [{ name: 'gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price: { input: 0.15, output: 0.6 } }];

  it('exports a server span continuing the caller traceparent, with a client span per attempt whose traceparent went upstream (http/protobuf)', async () => {
    const test = await startTestGateway({ telemetry: { otlp_endpoint: receiver.url, protocol: 'http/protobuf' }, retry: { attempts: 2, backoff_ms: 1, max_backoff_ms: 2 }, models: models() });
    try {
      failNext = 1;
      upstream.requests.length = 0;
      await test.client.chat.completions.create(
        { model: 'gpt-4o-mini', max_tokens: 50, temperature: 0.3, messages: [{ role: 'user', content: 'secret prompt text' }] },
        { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } },
      );
      const spans = await receiver.waitFor((received) => received.filter((span) => span.traceId === CALLER_TRACE).length >= 3);
      const ours = spans.filter((span) => span.traceId === CALLER_TRACE);
      const server = ours.find((span) => span.kind === 2)!;
      const attempts = ours.filter((span) => span.kind === 3).sort((a, b) => Number(a.attributes['switchboard.attempt']) - Number(b.attributes['switchboard.attempt']));

      expect(receiver.contentTypes).toContain('application/x-protobuf');
      expect(server.name).toBe('chat gpt-4o-mini');
      expect(server.parentSpanId).toBe(CALLER_SPAN);
      expect(server.resource['service.name']).toBe('switchboard');
      expect(server.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.3,
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.usage.cache_read.input_tokens': 0,
        'http.response.status_code': 200,
        'switchboard.attempts': 2,
      });
      expect(server.attributes['switchboard.cost_usd']).toBeGreaterThan(0);
      expect(server.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(JSON.stringify(server.attributes)).not.toContain('secret prompt text');

      expect(attempts.map((span) => span.attributes['switchboard.attempt'])).toEqual([1, 2]);
      for (const attempt of attempts) {
        expect(attempt.parentSpanId).toBe(server.spanId);
        expect(attempt.name).toBe('chat gpt-4o-mini-2024-07-18');
        expect(attempt.attributes['gen_ai.request.model']).toBe('gpt-4o-mini-2024-07-18');
      }
      expect(attempts[0]!.attributes['error.type']).toBe('upstream_error');
      expect(attempts[1]!.attributes['http.response.status_code']).toBe(200);
      // Each upstream call carried its own attempt span as parent.
      const sent = upstream.requests.map((request) => request.headers.traceparent);
      expect(sent).toEqual(attempts.map((span) => `00-${CALLER_TRACE}-${span.spanId}-01`));
    } finally {
      await test.close();
    }
  });

  it('exports over http/json, starts a new trace without a traceparent, and captures content only when asked', async () => {
    const test = await startTestGateway({ telemetry: { otlp_endpoint: `${receiver.url}/v1/traces`, protocol: 'http/json', capture_content: true, service_name: 'gateway-under-test' }, models: models() });
    try {
      const before = receiver.spans.length;
      const stream = await test.client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'captured prompt' }] });
      for await (const _chunk of stream) void _chunk;
      const spans = await receiver.waitFor((received) => received.slice(before).some((span) => span.kind === 2 && span.resource['service.name'] === 'gateway-under-test'));
      const server = spans.slice(before).find((span: ReceivedSpan) => span.kind === 2)!;
      expect(receiver.contentTypes.at(-1)).toContain('application/json');
      expect(server.traceId).not.toBe(CALLER_TRACE);
      expect(server.parentSpanId).toBe('');
      expect(server.attributes['switchboard.streamed']).toBe(true);
      expect(String(server.attributes['gen_ai.input.messages'])).toContain('captured prompt');
    } finally {
      await test.close();
    }
  });

  it('leaves a request the sampler drops untraced, but still carries an unsampled caller trace upstream', async () => {
    const test = await startTestGateway({ telemetry: { otlp_endpoint: receiver.url, sample: 0, service_name: 'sampled-out' }, models: models() });
    const ask = (traceparent?: string) =>
      test.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, traceparent ? { headers: { traceparent } } : {});
    try {
      upstream.requests.length = 0;
      await ask();
      await ask(`00-${CALLER_TRACE}-${CALLER_SPAN}-00`);
      // A caller that sampled its trace keeps its decision (parent-based sampling): its spans
      // arrive after anything the two requests above could have queued.
      const sampledTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      await ask(`00-${sampledTrace}-${CALLER_SPAN}-01`);
      const spans = await receiver.waitFor((received) => received.some((span) => span.traceId === sampledTrace && span.kind === 2));
      const ours = spans.filter((span) => span.resource['service.name'] === 'sampled-out');
      expect(new Set(ours.map((span) => span.traceId))).toEqual(new Set([sampledTrace]));

      const sent = upstream.requests.map((request) => request.headers.traceparent);
      expect(sent[0]).toBeUndefined();
      expect(sent[1]).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-00$`));
      expect(sent[2]).toMatch(new RegExp(`^00-${sampledTrace}-[0-9a-f]{16}-01$`));
    } finally {
      await test.close();
    }
  });

  it('samples new traces at the configured ratio', async () => {
    const test = await startTestGateway({ telemetry: { otlp_endpoint: receiver.url, sample: 0.5, service_name: 'half-sampled' }, models: models() });
    try {
      upstream.requests.length = 0;
      for (let request = 0; request < 40; request++) await test.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const traced = upstream.requests.filter((request) => request.headers.traceparent !== undefined).length;
      // Binomial(40, ½): outside 6..34 about once in 700,000 runs.
      expect(traced).toBeGreaterThanOrEqual(6);
      expect(traced).toBeLessThanOrEqual(34);
      for (const request of upstream.requests) if (request.headers.traceparent) expect(request.headers.traceparent).toMatch(/-01$/);
    } finally {
      await test.close();
    }
  });

  it('reads the standard OTEL_* variables, the config first', () => {
    const config = validateConfig({}, 'test');
    expect(telemetrySettings(config, {})).toBeUndefined();
    const fromEnvironment = telemetrySettings(config, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_SERVICE_NAME: 'edge' });
    expect(fromEnvironment).toMatchObject({ tracesUrl: undefined, protocol: 'http/json', sample: 0.25, serviceName: 'edge', captureContent: false });
    expect(telemetrySettings(config, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    const configured = validateConfig({ telemetry: { otlp_endpoint: 'http://127.0.0.1:4318', sample: 0.5 } }, 'test');
    expect(telemetrySettings(configured, { OTEL_TRACES_SAMPLER: 'always_off' })).toMatchObject({ tracesUrl: 'http://127.0.0.1:4318/v1/traces', sample: 0.5, protocol: 'http/protobuf' });
  });

  it('loads no OpenTelemetry module when telemetry is off, and does when it is on', () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-otel-off-'));
    try {
      const log = join(directory, 'resolved.txt');
      const hooks = join(directory, 'hooks.mjs');
      writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) { appendFileSync(${JSON.stringify(log)}, specifier + '\\n'); return next(specifier, context); }\n`);
      const register = join(directory, 'register.mjs');
      writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
      const script = join(directory, 'run.mts');
      writeFileSync(
        script,
        `import { validateConfig } from ${JSON.stringify(join(REPO_ROOT, 'src/config/load-config.ts'))};
import { createGateway } from ${JSON.stringify(join(REPO_ROOT, 'src/server/gateway.ts'))};
import { createLogger } from ${JSON.stringify(join(REPO_ROOT, 'src/logging/logger.ts'))};
const telemetry = process.argv[2] === 'on' ? { otlp_endpoint: process.argv[3] } : undefined;
const config = validateConfig({ storage: { url: 'sqlite://:memory:' }, models: [{ name: 'm', provider: 'simulated' }], ...(telemetry ? { telemetry } : {}) }, 'test');
const gateway = await createGateway({ config, logger: createLogger({ level: 'silent', format: 'json' }) });
const address = await gateway.listen(0, '127.0.0.1');
const response = await fetch('http://127.0.0.1:' + address.port + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
if (response.status !== 200) throw new Error('status ' + response.status);
await gateway.close();
`,
      );
      const run = (mode: string) => {
        writeFileSync(log, '');
        const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, script, mode, receiver.url], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' } });
        expect(result.status, result.stderr).toBe(0);
        return readFileSync(log, 'utf8');
      };
      const off = run('off');
      expect(off).toContain('gateway');
      expect(off).not.toContain('@opentelemetry');
      expect(run('on')).toContain('@opentelemetry/sdk-trace');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
