/**
 * The one error hierarchy of the gateway. Every error a client can see is a GatewayError (or is
 * turned into one by `toGatewayError`), and `server/error-response.ts` is the only place that
 * turns it into the OpenAI-style body `{"error": {"message", "type", "param", "code"}}`.
 *
 * `isRetryable` is decided where the error is created, because that is where the facts are (the
 * upstream status, the network error code); the reliability layer only reads it.
 */
import { scrubSecrets } from '../security/secret-scrubber.js';

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error'
  | 'server_error'
  | 'timeout_error';

export interface GatewayErrorOptions {
  status: number;
  type: OpenAIErrorType;
  code: string | null;
  param?: string | null;
  isRetryable?: boolean;
  /** Milliseconds the client (or our retry loop) should wait before trying again. */
  retryAfterMs?: number;
  /** Extra response headers, such as `x-ratelimit-*`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(message: string, options: GatewayErrorOptions) {
    // Scrubbed once, here: every error body, stream error event, log line and row reads this.
    super(scrubSecrets(message), { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param ?? null;
    this.isRetryable = options.isRetryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers;
  }
}

/** 400: the request body or a field in it is invalid. `param` names the field. */
export class InvalidRequestError extends GatewayError {
  constructor(message: string, param: string | null = null, code: string | null = 'invalid_request') {
    super(message, { status: 400, type: 'invalid_request_error', code, param });
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(limitBytes: number) {
    super(`Request body is larger than the limit of ${limitBytes} bytes.`, {
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
    });
  }
}

export class UnsupportedMediaTypeError extends GatewayError {
  constructor(contentType: string | undefined) {
    super(`This endpoint takes JSON: send the header 'Content-Type: application/json'${contentType ? ` (got '${contentType.slice(0, 100)}')` : ''}.`, {
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_media_type',
    });
  }
}

export class ModelNotFoundError extends GatewayError {
  constructor(model: string, available: readonly string[]) {
    const list = available.length > 0 ? available.join(', ') : '(none configured)';
    super(`The model '${model}' does not exist on this gateway. Available models: ${list}.`, {
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    });
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string) {
    super(message, { status: 404, type: 'invalid_request_error', code: 'not_found' });
  }
}

/** 409: the thing to create exists already, or is owned by the config file and cannot be changed here. */
export class ConflictError extends GatewayError {
  constructor(message: string, code = 'conflict') {
    super(message, { status: 409, type: 'invalid_request_error', code });
  }
}

export class MethodNotAllowedError extends GatewayError {
  constructor(method: string, path: string) {
    super(`Method ${method} is not allowed on ${path}.`, {
      status: 405,
      type: 'invalid_request_error',
      code: 'method_not_allowed',
    });
  }
}

export class AuthenticationError extends GatewayError {
  constructor(message = 'Invalid or missing API key. Pass it as "Authorization: Bearer <key>".') {
    super(message, { status: 401, type: 'authentication_error', code: 'invalid_api_key' });
  }
}

export class PermissionError extends GatewayError {
  constructor(message: string, code = 'permission_denied') {
    super(message, { status: 403, type: 'permission_error', code });
  }
}

export class RateLimitError extends GatewayError {
  constructor(message: string, options: { retryAfterMs?: number; headers?: Record<string, string>; code?: string } = {}) {
    super(message, {
      status: 429,
      type: 'rate_limit_error',
      code: options.code ?? 'rate_limit_exceeded',
      retryAfterMs: options.retryAfterMs,
      headers: options.headers,
    });
  }
}

export class BudgetExceededError extends GatewayError {
  constructor(message: string, options: { retryAfterMs?: number; headers?: Record<string, string> } = {}) {
    super(message, {
      status: 429,
      type: 'insufficient_quota',
      code: 'budget_exceeded',
      retryAfterMs: options.retryAfterMs,
      headers: options.headers,
    });
  }
}

export class ServiceUnavailableError extends GatewayError {
  constructor(message: string, code = 'service_unavailable') {
    super(message, { status: 503, type: 'server_error', code, isRetryable: true });
  }
}

export class InternalError extends GatewayError {
  constructor(cause?: unknown) {
    super('The gateway hit an internal error. The request was logged; please try again.', {
      status: 500,
      type: 'server_error',
      code: 'internal_error',
      cause,
    });
  }
}
