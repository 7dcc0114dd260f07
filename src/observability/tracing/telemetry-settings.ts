/**
 * Whether traces are on, and with what settings: `telemetry:` in the config first, then the
 * standard OpenTelemetry environment variables. Decided once at startup; with neither, the
 * gateway loads no OpenTelemetry code at all.
 *
 *   OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none      off, whatever the config says
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _ENDPOINT          where to send (turns tracing on)
 *   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / _PROTOCOL          http/protobuf or http/json
 *   OTEL_EXPORTER_OTLP_TRACES_HEADERS / _HEADERS            read by the exporter itself
 *   OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG            always_on/off, traceidratio, parentbased_*
 *   OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES             the resource
 *   OTEL_BSP_*                                              batching, read by the span processor
 */
import type { GatewayConfig } from '../../config/schema.js';
import { OTLP_PROTOCOLS, type TelemetryConfig } from '../observability-schema.js';

export interface TelemetrySettings {
  /** The traces URL; undefined lets the exporter read OTEL_EXPORTER_OTLP_* (or use its default). */
  tracesUrl: string | undefined;
  protocol: (typeof OTLP_PROTOCOLS)[number];
  captureContent: boolean;
  /** Share of root traces sampled; an incoming traceparent's own decision is kept. */
  sample: number;
  serviceName: string;
  headers: Record<string, string>;
}

export function telemetrySettings(config: GatewayConfig, environment: NodeJS.ProcessEnv = process.env): TelemetrySettings | undefined {
  if (environment.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || environment.OTEL_TRACES_EXPORTER?.trim() === 'none') return undefined;
  const telemetry: TelemetryConfig | undefined = config.telemetry;
  const environmentEndpoint = environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || environment.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!telemetry && !environmentEndpoint) return undefined;
  return {
    tracesUrl: telemetry?.otlp_endpoint ? tracesUrlOf(telemetry.otlp_endpoint) : undefined,
    protocol: telemetry?.protocol ?? protocolFromEnvironment(environment),
    captureContent: telemetry?.capture_content ?? false,
    sample: telemetry?.sample ?? sampleFromEnvironment(environment),
    serviceName: telemetry?.service_name ?? environment.OTEL_SERVICE_NAME ?? 'switchboard',
    headers: telemetry?.headers ?? {},
  };
}

/** A base URL gets the OTLP traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does; a URL ending in it is kept. */
function tracesUrlOf(endpoint: string): string {
  return endpoint.endsWith('/v1/traces') ? endpoint : `${endpoint.replace(/\/$/, '')}/v1/traces`;
}

function protocolFromEnvironment(environment: NodeJS.ProcessEnv): TelemetrySettings['protocol'] {
  const value = (environment.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || environment.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  return value === 'http/json' ? 'http/json' : 'http/protobuf';
}

function sampleFromEnvironment(environment: NodeJS.ProcessEnv): number {
  const sampler = environment.OTEL_TRACES_SAMPLER?.trim();
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler === 'traceidratio' || sampler === 'parentbased_traceidratio') {
    const ratio = Number(environment.OTEL_TRACES_SAMPLER_ARG);
    return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  }
  return 1;
}
