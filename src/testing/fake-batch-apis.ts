/**
 * Faithful local fakes of the providers' batch APIs, for tests: real HTTP servers on loopback
 * speaking each wire protocol as documented (and as the official SDKs' types describe it).
 *
 * - OpenAI: `POST /v1/files` (multipart, purpose batch), `POST /v1/batches`, `GET
 *   /v1/batches/{id}` moving validating → in_progress → finalizing → completed over successive
 *   polls, `POST /v1/batches/{id}/cancel`, and `GET /v1/files/{id}/content` for the output file
 *   (`{id, custom_id, response: {status_code, request_id, body}, error}` lines) and error file.
 * - Anthropic: `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}` (processing_status
 *   in_progress → ended), `POST …/cancel`, and the JSONL at `results_url`
 *   (`{custom_id, result: {type: succeeded, message}}` lines).
 * - Gemini: `POST /v1beta/models/{model}:batchGenerateContent` (inlined requests), `GET
 *   /v1beta/batches/{id}` (an Operation, done with inlined responses), `POST …:cancel`.
 *
 * Each request is answered deterministically from its body: `max_tokens` output tokens (9 when
 * unset), 12 input tokens, and a line whose last message says FAIL gets a 400 in the error file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Busboy } from '@fastify/busboy';

export const FAKE_PROMPT_TOKENS = 12;
export const FAKE_COMPLETION_TOKENS = 9;

interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

abstract class FakeBatchServer {
  readonly calls: RecordedCall[] = [];
  /** Polls of a batch before it ends. */
  pollsToEnd = 2;
  protected server!: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  protected async listen(): Promise<void> {
    this.server = createServer((request, response) => {
      this.calls.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers });
      this.handle(request, response).catch((error: Error) => send(response, 500, { error: { message: error.message, type: 'server_error' } }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>;

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function send(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function outputTokens(body: { max_tokens?: number | null; max_completion_tokens?: number | null }): number {
  return body.max_completion_tokens ?? body.max_tokens ?? FAKE_COMPLETION_TOKENS;
}

function asksToFail(body: { messages?: Array<{ content?: unknown }> }): boolean {
  const last = body.messages?.at(-1)?.content;
  return typeof last === 'string' && last.includes('FAIL');
}

interface OpenAIFakeBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  polls: number;
}

export class FakeOpenAIBatchApi extends FakeBatchServer {
  readonly files = new Map<string, { purpose: string; filename: string; content: string }>();
  readonly batches = new Map<string, OpenAIFakeBatch>();
  private nextId = 1;

  static async start(): Promise<FakeOpenAIBatchApi> {
    const fake = new FakeOpenAIBatchApi();
    await fake.listen();
    return fake;
  }

  /** The request lines of every uploaded input file, parsed. */
  get submittedLines(): Array<{ custom_id: string; body: Record<string, unknown> }> {
    return [...this.files.values()].filter((file) => file.purpose === 'batch').flatMap((file) => file.content.split('\n').filter(Boolean).map((line) => JSON.parse(line)));
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.headers.authorization !== 'Bearer sk-upstream') return send(response, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    if (request.method === 'POST' && path === '/v1/files') return this.upload(request, response);
    let match = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (request.method === 'GET' && match) {
      const file = this.files.get(match[1]!);
      return file ? send(response, 200, file.content, 'application/octet-stream') : send(response, 404, { error: { message: 'No such File object', type: 'invalid_request_error', param: 'id', code: null } });
    }
    if (request.method === 'POST' && path === '/v1/batches') {
      const body = JSON.parse(await readText(request)) as { input_file_id: string; endpoint: string; completion_window: string; metadata?: Record<string, string> };
      if (!this.files.has(body.input_file_id)) return send(response, 400, { error: { message: `Invalid 'input_file_id': '${body.input_file_id}'.`, type: 'invalid_request_error', param: 'input_file_id', code: null } });
      const batch: OpenAIFakeBatch = {
        id: `batch_fake${this.nextId++}`,
        object: 'batch',
        endpoint: body.endpoint,
        input_file_id: body.input_file_id,
        completion_window: body.completion_window,
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: Math.floor(Date.now() / 1000),
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: body.metadata ?? null,
        polls: 0,
      };
      this.batches.set(batch.id, batch);
      return send(response, 200, view(batch));
    }
    match = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    const batch = match ? this.batches.get(match[1]!) : undefined;
    if (match && !batch) return send(response, 404, { error: { message: 'No such batch', type: 'invalid_request_error', param: null, code: null } });
    if (batch && request.method === 'POST' && match![2]) {
      if (batch.status === 'validating' || batch.status === 'in_progress') batch.status = 'cancelling';
      return send(response, 200, view(batch));
    }
    if (batch && request.method === 'GET') {
      this.advance(batch);
      return send(response, 200, view(batch));
    }
    send(response, 404, { error: { message: `Unknown path ${request.method} ${path}`, type: 'invalid_request_error', param: null, code: null } });
  }

  private upload(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const fields: Record<string, string> = {};
      let file: { filename: string; content: string } | undefined;
      const parser = new Busboy({ headers: request.headers as never });
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_name, stream, filename) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => (file = { filename, content: Buffer.concat(chunks).toString('utf8') }));
      });
      parser.on('error', reject);
      parser.on('finish', () => {
        if (!file || fields.purpose !== 'batch') {
          send(response, 400, { error: { message: "'file' and purpose 'batch' are required", type: 'invalid_request_error', param: 'file', code: null } });
          return resolve();
        }
        const id = `file-fake${this.nextId++}`;
        this.files.set(id, { purpose: 'batch', ...file });
        send(response, 200, { id, object: 'file', bytes: Buffer.byteLength(file.content), created_at: Math.floor(Date.now() / 1000), filename: file.filename, purpose: 'batch', status: 'processed', expires_at: null, status_details: null });
        resolve();
      });
      request.pipe(parser);
    });
  }

  /** One step of OpenAI's status progression per poll; the answers are written when it completes. */
  private advance(batch: OpenAIFakeBatch): void {
    batch.polls++;
    const lines = this.files.get(batch.input_file_id)!.content.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { custom_id: string; url: string; body: Record<string, any> });
    batch.request_counts.total = lines.length;
    if (batch.status === 'cancelling') {
      batch.status = 'cancelled';
      return;
    }
    if (batch.status === 'validating') batch.status = 'in_progress';
    if (batch.polls < this.pollsToEnd || batch.status !== 'in_progress') return;
    const outputs: string[] = [];
    const errors: string[] = [];
    for (const [index, line] of lines.entries()) {
      const requestId = `req_fake${index}`;
      if (asksToFail(line.body)) {
        errors.push(JSON.stringify({ id: `batch_req_fake${index}`, custom_id: line.custom_id, response: { status_code: 400, request_id: requestId, body: { error: { message: 'The request asked to fail.', type: 'invalid_request_error', param: null, code: null } } }, error: null }));
        continue;
      }
      outputs.push(JSON.stringify({ id: `batch_req_fake${index}`, custom_id: line.custom_id, response: { status_code: 200, request_id: requestId, body: answer(line.url, line.body, line.custom_id) }, error: null }));
    }
    batch.request_counts.completed = outputs.length;
    batch.request_counts.failed = errors.length;
    if (outputs.length > 0) this.files.set((batch.output_file_id = `file-fake${this.nextId++}`), { purpose: 'batch_output', filename: 'batch_output.jsonl', content: `${outputs.join('\n')}\n` });
    if (errors.length > 0) this.files.set((batch.error_file_id = `file-fake${this.nextId++}`), { purpose: 'batch_output', filename: 'batch_errors.jsonl', content: `${errors.join('\n')}\n` });
    batch.status = 'completed';
  }
}

function view(batch: OpenAIFakeBatch): Omit<OpenAIFakeBatch, 'polls'> {
  const { polls: _polls, ...rest } = batch;
  return rest;
}

function answer(url: string, body: Record<string, any>, customId: string): unknown {
  if (url === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return { object: 'list', data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })), model: body.model, usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length } };
  }
  const completionTokens = outputTokens(body);
  return {
    id: `chatcmpl-fake-${customId}`,
    object: 'chat.completion',
    created: 1741570283,
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: `Answer to ${customId}`, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: completionTokens, total_tokens: FAKE_PROMPT_TOKENS + completionTokens, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
    service_tier: 'default',
    system_fingerprint: 'fp_06737a9306',
  };
}

interface AnthropicFakeBatch {
  id: string;
  requests: Array<{ custom_id: string; params: Record<string, any> }>;
  processing_status: 'in_progress' | 'canceling' | 'ended';
  polls: number;
  cancelled: boolean;
  created_at: string;
}

export class FakeAnthropicMessageBatches extends FakeBatchServer {
  readonly batches = new Map<string, AnthropicFakeBatch>();
  private nextId = 1;

  static async start(): Promise<FakeAnthropicMessageBatches> {
    const fake = new FakeAnthropicMessageBatches();
    await fake.listen();
    return fake;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.headers['x-api-key'] !== 'sk-ant-upstream' || !request.headers['anthropic-version']) {
      return send(response, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    }
    if (request.method === 'POST' && path === '/v1/messages/batches') {
      const body = JSON.parse(await readText(request)) as { requests: AnthropicFakeBatch['requests'] };
      const batch: AnthropicFakeBatch = { id: `msgbatch_fake${this.nextId++}`, requests: body.requests, processing_status: 'in_progress', polls: 0, cancelled: false, created_at: new Date().toISOString() };
      this.batches.set(batch.id, batch);
      return send(response, 200, this.view(batch));
    }
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(path);
    const batch = match ? this.batches.get(match[1]!) : undefined;
    if (!batch) return send(response, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
    if (match![2] === '/cancel' && request.method === 'POST') {
      batch.cancelled = true;
      batch.processing_status = 'canceling';
      return send(response, 200, this.view(batch));
    }
    if (match![2] === '/results') {
      if (batch.processing_status !== 'ended') return send(response, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'Batch is still processing' } });
      const lines = batch.requests.map((item, index) => JSON.stringify({ custom_id: item.custom_id, result: resultFor(item, index, batch.cancelled) }));
      return send(response, 200, `${lines.join('\n')}\n`, 'application/binary');
    }
    batch.polls++;
    if (batch.polls >= this.pollsToEnd || batch.cancelled) batch.processing_status = 'ended';
    send(response, 200, this.view(batch));
  }

  private view(batch: AnthropicFakeBatch) {
    const ended = batch.processing_status === 'ended';
    const results = batch.requests.map((item, index) => resultFor(item, index, batch.cancelled).type);
    const count = (type: string) => (ended ? results.filter((result) => result === type).length : 0);
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.processing_status,
      request_counts: { processing: ended ? 0 : batch.requests.length, succeeded: count('succeeded'), errored: count('errored'), canceled: count('canceled'), expired: 0 },
      ended_at: ended ? new Date().toISOString() : null,
      created_at: batch.created_at,
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: batch.cancelled ? new Date().toISOString() : null,
      results_url: ended ? `${this.url}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}

function resultFor(item: { custom_id: string; params: Record<string, any> }, index: number, cancelled: boolean) {
  if (cancelled) return { type: 'canceled' };
  if (asksToFail(item.params)) return { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'The request asked to fail.' } } };
  return {
    type: 'succeeded',
    message: {
      id: `msg_fake${index}`,
      type: 'message',
      role: 'assistant',
      model: item.params.model,
      content: [{ type: 'text', text: `Answer to ${item.custom_id}` }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: FAKE_PROMPT_TOKENS, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens(item.params), service_tier: 'batch' },
    },
  };
}

interface GeminiFakeBatch {
  name: string;
  model: string;
  displayName: string;
  requests: Array<{ request: { contents?: Array<{ parts?: Array<{ text?: string }> }>; generationConfig?: { maxOutputTokens?: number } }; metadata?: { key?: string } }>;
  state: 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING' | 'BATCH_STATE_SUCCEEDED' | 'BATCH_STATE_CANCELLED';
  polls: number;
  createTime: string;
}

const GEMINI_BATCH_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';

/**
 * Gemini's batch mode: `POST /v1beta/models/{model}:batchGenerateContent` with inlined requests,
 * `GET /v1beta/batches/{id}` answering a long-running Operation (state PENDING → RUNNING →
 * SUCCEEDED over polls; when done, the answers both in `response.inlinedResponses` and in
 * `metadata.output`, as the API returns them), `POST /v1beta/batches/{id}:cancel`. Errors are
 * Google's `{"error": {"code", "message", "status"}}`; a failed request is an inlined `Status`.
 */
export class FakeGeminiBatches extends FakeBatchServer {
  readonly batches = new Map<string, GeminiFakeBatch>();
  private nextId = 1;

  static async start(): Promise<FakeGeminiBatches> {
    const fake = new FakeGeminiBatches();
    await fake.listen();
    return fake;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (request.headers['x-goog-api-key'] !== 'gemini-upstream-key') {
      return send(response, 403, { error: { code: 403, message: 'Method doesn\'t allow unregistered callers. Please use API Key.', status: 'PERMISSION_DENIED' } });
    }
    const create = /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/.exec(path);
    if (create && request.method === 'POST') {
      const body = JSON.parse(await readText(request)) as { batch: { displayName: string; inputConfig: { requests: { requests: GeminiFakeBatch['requests'] } } } };
      const batch: GeminiFakeBatch = {
        name: `batches/fake${this.nextId++}`,
        model: `models/${decodeURIComponent(create[1]!)}`,
        displayName: body.batch.displayName,
        requests: body.batch.inputConfig.requests.requests,
        state: 'BATCH_STATE_PENDING',
        polls: 0,
        createTime: new Date().toISOString(),
      };
      this.batches.set(batch.name, batch);
      return send(response, 200, this.operation(batch));
    }
    const match = /^\/v1beta\/(batches\/[^/:]+)(:cancel)?$/.exec(path);
    const batch = match ? this.batches.get(match[1]!) : undefined;
    if (!batch) return send(response, 404, { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } });
    if (match![2] === ':cancel' && request.method === 'POST') {
      if (batch.state !== 'BATCH_STATE_SUCCEEDED') batch.state = 'BATCH_STATE_CANCELLED';
      return send(response, 200, {});
    }
    batch.polls++;
    if (batch.state === 'BATCH_STATE_PENDING' || batch.state === 'BATCH_STATE_RUNNING') {
      batch.state = batch.polls >= this.pollsToEnd ? 'BATCH_STATE_SUCCEEDED' : 'BATCH_STATE_RUNNING';
    }
    send(response, 200, this.operation(batch));
  }

  private operation(batch: GeminiFakeBatch) {
    const done = batch.state === 'BATCH_STATE_SUCCEEDED' || batch.state === 'BATCH_STATE_CANCELLED';
    const answers = batch.state === 'BATCH_STATE_SUCCEEDED' ? { inlinedResponses: batch.requests.map((item, index) => geminiAnswer(item, index, batch.model)) } : undefined;
    const failed = answers ? answers.inlinedResponses.filter((answer) => 'error' in answer).length : 0;
    const metadata = {
      '@type': GEMINI_BATCH_TYPE,
      model: batch.model,
      displayName: batch.displayName,
      createTime: batch.createTime,
      updateTime: new Date().toISOString(),
      batchStats: { requestCount: String(batch.requests.length), successfulRequestCount: String(answers ? batch.requests.length - failed : 0), failedRequestCount: String(failed), pendingRequestCount: String(done ? 0 : batch.requests.length) },
      state: batch.state,
      name: batch.name,
      ...(answers ? { output: { inlinedResponses: answers } } : {}),
    };
    return {
      name: batch.name,
      metadata,
      ...(done ? { done: true } : {}),
      ...(answers ? { response: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput', inlinedResponses: answers } } : {}),
      ...(batch.state === 'BATCH_STATE_CANCELLED' ? { error: { code: 1, message: 'Batch was cancelled.' } } : {}),
    };
  }
}

function geminiAnswer(item: GeminiFakeBatch['requests'][number], index: number, model: string) {
  const text = item.request.contents?.at(-1)?.parts?.map((part) => part.text ?? '').join('') ?? '';
  if (text.includes('FAIL')) return { metadata: item.metadata, error: { code: 3, message: 'The request asked to fail.', status: 'INVALID_ARGUMENT' } };
  const output = item.request.generationConfig?.maxOutputTokens ?? FAKE_COMPLETION_TOKENS;
  return {
    metadata: item.metadata,
    response: {
      candidates: [{ content: { role: 'model', parts: [{ text: `Gemini answer to ${item.metadata?.key ?? index}` }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: FAKE_PROMPT_TOKENS, candidatesTokenCount: output, totalTokenCount: FAKE_PROMPT_TOKENS + output },
      modelVersion: model.replace(/^models\//, ''),
      responseId: `gemini-batch-${index}`,
    },
  };
}
