/**
 * OpenTelemetry traces of model requests: one SERVER span per request, continued from an
 * incoming W3C `traceparent`, and one CLIENT span per upstream attempt under it, whose own
 * `traceparent` goes upstream. Spans are named `{gen_ai.operation.name} {gen_ai.request.model}`
 * and carry the GenAI semantic conventions (span-attributes.ts).
 *
 * This module is imported only when telemetry is on (gateway.ts loads it dynamically), so a
 * gateway without telemetry loads no OpenTelemetry code. Spans go to a BatchSpanProcessor:
 * ending a span only queues it; export happens on a timer, off the request path.
 *
 * No context manager is installed and no AsyncLocalStorage is entered: the request's trace rides
 * on its scope (`RequestScope.trace`) and dispatch context, and each attempt's `traceparent` on
 * the call's options (traced-request.ts says why).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, defaultTextMapGetter, defaultTextMapSetter, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes, defaultResource } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../../logging/logger.js';
import type { ResolvedDeployment } from '../../models/model-registry.js';
import type { RequestScope } from '../../pipeline/request-scope.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { AttemptSpan, TracedRequest } from './traced-request.js';
import { recordAttributes, requestAttributes, responseAttributes, type ResponseFacts } from './span-attributes.js';
import type { TelemetrySettings } from './telemetry-settings.js';

const propagator = new W3CTraceContextPropagator();

/** One traced request: its server span, and what the trace stage learnt of its answer. */
export class RequestTrace implements TracedRequest {
  response: ResponseFacts | undefined;

  constructor(
    readonly span: Span,
    readonly tracer: RequestTracer,
  ) {}

  /** Adds what the request asked for (max tokens, temperature; messages with capture_content). */
  describeRequest(request: ChatCompletionRequest): void {
    this.span.setAttributes(requestAttributes(request, this.tracer.settings.captureContent));
  }

  startAttempt(modelName: string, deployment: ResolvedDeployment, attemptNumber: number): AttemptSpan {
    return this.tracer.startAttempt(this, modelName, deployment, attemptNumber);
  }
}

export class RequestTracer {
  private readonly tracer: Tracer;

  constructor(
    readonly settings: TelemetrySettings,
    private readonly provider: TracerProvider,
  ) {
    this.tracer = provider.getTracer('switchboard');
  }

  /**
   * Starts the server span of a model request, continuing the caller's `traceparent` if it sent
   * one. A new trace is sampled here, before any span exists (`sample` of them, at random, as the
   * trace-id ratio would for a fresh id): one left out runs as it would with telemetry off, with
   * no span, no attempt spans and no `traceparent` upstream, because nothing would be exported
   * and there is no caller's trace to carry. Letting the SDK decide would cost every such request
   * a span's ids, attribute checks and self-metrics. A caller's trace keeps the caller's
   * decision (parent-based sampling) and is carried upstream even when not sampled, so a service
   * below us keeps it too.
   */
  startRequest(method: string, path: string, headers: IncomingHttpHeaders): RequestTrace | undefined {
    const parent = headers.traceparent ? propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) : ROOT_CONTEXT;
    if (parent === ROOT_CONTEXT && !(Math.random() < this.settings.sample)) return undefined;
    const span = this.tracer.startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } }, parent);
    return new RequestTrace(span, this);
  }

  /** Ends the server span with the finished record's attributes and names it after the model. */
  endRequest(requestTrace: RequestTrace, record: Parameters<typeof recordAttributes>[0]): void {
    const { span } = requestTrace;
    const attributes: Attributes = recordAttributes(record);
    if (requestTrace.response) Object.assign(attributes, responseAttributes(requestTrace.response));
    span.setAttributes(attributes);
    if (record.requested_model) span.updateName(`${attributes['gen_ai.operation.name']} ${record.requested_model}`);
    if (record.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: record.error_message ?? undefined });
    span.end();
  }

  /** A client span for one upstream attempt of `parent`, and the `traceparent` that names it upstream. */
  startAttempt(parent: RequestTrace, modelName: string, deployment: ResolvedDeployment, attemptNumber: number): AttemptSpan {
    const operation = 'chat';
    const span = this.tracer.startSpan(
      `${operation} ${deployment.info.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.provider.name': providerName(deployment.info.provider),
          'gen_ai.request.model': deployment.info.model,
          'switchboard.attempt': attemptNumber,
          'switchboard.model': modelName,
          'switchboard.deployment': deployment.id,
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent.span),
    );
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return {
      traceparent: carrier.traceparent,
      end: (record) => {
        if (record.status !== null) span.setAttribute('http.response.status_code', record.status);
        if (record.error_code !== null) {
          span.setAttribute('error.type', record.error_code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: record.error_message });
        }
        if (record.backoff_ms !== undefined) span.setAttribute('switchboard.backoff_ms', record.backoff_ms);
        span.end();
      },
    };
  }

  /** Exports what is queued and stops the exporter (on gateway close); a collector that is down does not fail the close. */
  async shutdown(onError: (error: unknown) => void): Promise<void> {
    await this.provider.shutdown().catch(onError);
  }
}

function providerName(provider: string): string {
  return provider === 'gemini' ? 'gcp.gemini' : provider;
}

/** Builds the tracer provider and its batching exporter. */
export async function startRequestTracer(settings: TelemetrySettings, logger: Logger): Promise<RequestTracer> {
  const exporter = await createExporter(settings);
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': settings.serviceName })),
    // New traces are sampled in startRequest, before a span is started; a caller's trace keeps its decision.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer = new RequestTracer(settings, provider);
  logger.info({ endpoint: settings.tracesUrl ?? '(from OTEL_EXPORTER_OTLP_*)', protocol: settings.protocol, sample: settings.sample }, 'OpenTelemetry tracing on');
  return tracer;
}

async function createExporter(settings: TelemetrySettings): Promise<SpanExporter> {
  const options = { url: settings.tracesUrl, headers: settings.headers };
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(options);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(options);
}
