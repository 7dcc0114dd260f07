/**
 * Reads a batch input file: JSONL, one request per line, `{custom_id, method, url, body}` as in
 * OpenAI's Batch API. Every problem is reported with its line number (OpenAI's `errors.data`
 * shape), so a file is fixed in one pass: malformed JSON, a missing or duplicate `custom_id`, a
 * method other than POST, a URL other than the batch's endpoint, a body the endpoint would
 * refuse, too many lines. Blank lines are skipped.
 */
import { GatewayError } from '../errors/index.js';
import { parseChatCompletionRequest, parseEmbeddingsRequest } from '../protocol/chat-request-schema.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../protocol/chat-types.js';
import type { BatchEndpoint } from '../providers/batch-api.js';
import type { LineError } from './store/batch-records.js';
import { assertJsonDepth, DEFAULT_JSON_DEPTH } from '../server/json-depth.js';

export const BATCH_ENDPOINTS: readonly BatchEndpoint[] = ['/v1/chat/completions', '/v1/embeddings'];

/** Errors listed for one file at most; a file with more says how many there were. */
const MAX_REPORTED_ERRORS = 100;

export interface InputLine {
  lineNumber: number;
  customId: string;
  url: BatchEndpoint;
  request: ChatCompletionRequest | EmbeddingsRequest;
}

export type ParsedInput = { ok: true; lines: InputLine[] } | { ok: false; errors: LineError[] };

export function parseInputLines(content: Buffer, endpoint: BatchEndpoint, maxLines: number): ParsedInput {
  const errors: LineError[] = [];
  const lines: InputLine[] = [];
  const seen = new Map<string, number>();
  const text = content.toString('utf8');
  const rows = text.split('\n');
  let requests = 0;
  for (const [index, raw] of rows.entries()) {
    const lineNumber = index + 1;
    if (raw.trim() === '') continue;
    requests++;
    if (requests > maxLines) {
      errors.push({ code: 'too_many_requests', message: `The file has more than ${maxLines} requests, the most one batch may hold (batch.max_lines). Split it into several batches.`, param: null, line: lineNumber });
      break;
    }
    const line = parseLine(raw, lineNumber, endpoint, errors);
    if (!line) continue;
    const earlier = seen.get(line.customId);
    if (earlier !== undefined) {
      errors.push({ code: 'duplicate_custom_id', message: `The custom_id '${line.customId}' is already used on line ${earlier}; each request needs its own.`, param: 'custom_id', line: lineNumber });
      continue;
    }
    seen.set(line.customId, lineNumber);
    lines.push(line);
  }
  if (requests === 0) errors.push({ code: 'empty_file', message: 'The input file has no requests.', param: null, line: null });
  if (errors.length > 0) return { ok: false, errors: reported(errors) };
  return { ok: true, lines };
}

function parseLine(raw: string, lineNumber: number, endpoint: BatchEndpoint, errors: LineError[]): InputLine | undefined {
  const fail = (code: string, message: string, param: string | null = null) => {
    errors.push({ code, message, param, line: lineNumber });
    return undefined;
  };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('invalid_json', 'This line is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fail('invalid_request', 'Each line must be a JSON object with custom_id, method, url and body.');
  const line = value as { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
  if (typeof line.custom_id !== 'string' || line.custom_id === '') return fail('missing_required_parameter', 'custom_id must be a non-empty string.', 'custom_id');
  if (line.custom_id.length > 512) return fail('invalid_value', 'custom_id may be at most 512 characters.', 'custom_id');
  if (line.method !== 'POST') return fail('invalid_value', `method must be POST, not ${JSON.stringify(line.method)}.`, 'method');
  if (typeof line.url !== 'string' || !BATCH_ENDPOINTS.includes(line.url as BatchEndpoint)) {
    return fail('invalid_url', `url must be one of ${BATCH_ENDPOINTS.join(', ')}; got ${JSON.stringify(line.url)}.`, 'url');
  }
  if (line.url !== endpoint) return fail('mismatched_url', `url is ${line.url} but the batch's endpoint is ${endpoint}; every line must use the batch's endpoint.`, 'url');
  if (!line.body || typeof line.body !== 'object' || Array.isArray(line.body)) return fail('missing_required_parameter', 'body must be the request as a JSON object.', 'body');
  try {
    assertJsonDepth(line.body, DEFAULT_JSON_DEPTH);
    const request = endpoint === '/v1/embeddings' ? parseEmbeddingsRequest(line.body) : parseChatCompletionRequest(line.body);
    if ('stream' in request && request.stream) return fail('invalid_value', 'Batch requests cannot stream; remove stream or set it to false.', 'body.stream');
    return { lineNumber, customId: line.custom_id, url: endpoint, request };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return fail(error.code ?? 'invalid_request', error.message, error.param ? `body.${error.param}` : 'body');
  }
}

function reported(errors: LineError[]): LineError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_REPORTED_ERRORS),
    { code: 'too_many_errors', message: `${errors.length - MAX_REPORTED_ERRORS} more lines have errors; fix the ones above and validate again.`, param: null, line: null },
  ];
}
