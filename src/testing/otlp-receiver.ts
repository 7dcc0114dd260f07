/**
 * A local OTLP/HTTP trace receiver for tests: a real HTTP server on loopback that accepts
 * `POST /v1/traces` in both encodings the gateway can send — JSON, and protobuf, decoded here
 * from the wire format with the field numbers of opentelemetry/proto/trace/v1/trace.proto — and
 * keeps every span it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const type = request.headers['content-type'] ?? '';
        receiver!.contentTypes.push(type);
        if (request.url !== '/v1/traces') return response.writeHead(404).end();
        receiver!.spans.push(...(type.includes('json') ? spansFromJson(JSON.parse(body.toString('utf8'))) : spansFromProtobuf(body)));
        response.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  /** Waits until `predicate` holds for the spans received, or fails after `timeoutMs`. */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline) throw new Error(`OTLP receiver: condition not met; received ${this.spans.length} spans: ${this.spans.map((span) => span.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.spans;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// --- JSON (OTLP/HTTP JSON: ids as hex strings, 64-bit integers as strings) ---

function jsonValue(value: any): unknown {
  if (value === undefined || value === null) return null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(jsonValue);
  return null;
}

function jsonAttributes(list: any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, jsonValue(entry.value)]));
}

function spansFromJson(body: any): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans: any) =>
    (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
      (scopeSpans.spans ?? []).map((span: any) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: jsonAttributes(span.attributes),
        resource: jsonAttributes(resourceSpans.resource?.attributes),
      })),
    ),
  );
}

// --- protobuf wire format ---

type Field = { number: number; wire: number; value: bigint | Buffer };

function fields(buffer: Buffer): Field[] {
  const result: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const number = key >> 3;
    const wire = key & 7;
    if (wire === 0) result.push({ number, wire, value: varint() });
    else if (wire === 1) {
      result.push({ number, wire, value: buffer.subarray(offset, offset + 8) });
      offset += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      result.push({ number, wire, value: buffer.subarray(offset, offset + length) });
      offset += length;
    } else if (wire === 5) {
      result.push({ number, wire, value: buffer.subarray(offset, offset + 4) });
      offset += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return result;
}

const bytesOf = (field: Field | undefined) => (field?.value as Buffer | undefined) ?? Buffer.alloc(0);
const children = (buffer: Buffer, number: number) => fields(buffer).filter((field) => field.number === number).map((field) => field.value as Buffer);

/** AnyValue: 1 string, 2 bool, 3 int, 4 double, 5 array. */
function protobufValue(buffer: Buffer): unknown {
  const [field] = fields(buffer);
  if (!field) return null;
  if (field.number === 1) return (field.value as Buffer).toString('utf8');
  if (field.number === 2) return field.value === 1n;
  if (field.number === 3) return Number(BigInt.asIntN(64, field.value as bigint));
  if (field.number === 4) return (field.value as Buffer).readDoubleLE(0);
  if (field.number === 5) return children(field.value as Buffer, 1).map(protobufValue);
  return null;
}

/** KeyValue: 1 key, 2 value. */
function protobufAttributes(list: Buffer[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map((entry) => {
      const parts = fields(entry);
      return [bytesOf(parts.find((part) => part.number === 1)).toString('utf8'), protobufValue(bytesOf(parts.find((part) => part.number === 2)))];
    }),
  );
}

/** ExportTraceServiceRequest 1 → ResourceSpans (1 resource, 2 scope spans) → ScopeSpans (2 spans) → Span. */
function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  return children(body, 1).flatMap((resourceSpans) => {
    const resource = protobufAttributes(children(children(resourceSpans, 1)[0] ?? Buffer.alloc(0), 1));
    return children(resourceSpans, 2).flatMap((scopeSpans) =>
      children(scopeSpans, 2).map((spanBytes) => {
        const parts = fields(spanBytes);
        const get = (number: number) => parts.find((part) => part.number === number);
        return {
          traceId: bytesOf(get(1)).toString('hex'),
          spanId: bytesOf(get(2)).toString('hex'),
          parentSpanId: bytesOf(get(4)).toString('hex'),
          name: bytesOf(get(5)).toString('utf8'),
          kind: Number((get(6)?.value as bigint | undefined) ?? 0n),
          attributes: protobufAttributes(parts.filter((part) => part.number === 9).map((part) => part.value as Buffer)),
          resource,
        };
      }),
    );
  });
}
