/**
 * Errors the guardrails raise (src/guardrails). Each names what was found or what failed, never
 * the personal data or the answer text itself: these messages reach the client and the log.
 */
import { GatewayError } from './gateway-error.js';

/** 400: the request carries personal data and the PII guardrail's action is `block`. */
export class PiiDetectedError extends GatewayError {
  /** Entity types found (`email`, `credit_card`, …), sorted; never the values. */
  readonly entities: readonly string[];

  constructor(entities: readonly string[]) {
    const list = [...new Set(entities)].sort();
    super(`The request contains personal data (${list.join(', ')}), which this gateway does not forward. Remove it or ask the operator to mask it instead.`, {
      status: 400,
      type: 'invalid_request_error',
      code: 'pii_detected',
      param: 'messages',
    });
    this.entities = list;
  }
}

/**
 * 500: a guardrail could not run (a detector threw), and its `on_error` is `block`, so the
 * request is refused rather than forwarded unchecked. Not retryable: the same text would fail
 * the same way. The cause is kept for the log; the message names only the guardrail.
 */
export class GuardrailFailedError extends GatewayError {
  readonly guardrail: string;

  constructor(guardrail: string, cause: unknown) {
    super(`The ${guardrail} guardrail failed, so the request was refused rather than forwarded unchecked. The failure was logged.`, {
      status: 500,
      type: 'server_error',
      code: 'guardrail_failed',
      cause,
    });
    this.guardrail = guardrail;
  }
}

/** 502: the model's answer still does not match the requested JSON schema after repair and escalation. */
export class InvalidOutputError extends GatewayError {
  constructor(summary: string) {
    super(`The model's answer does not match the requested JSON schema: ${summary}`, {
      status: 502,
      type: 'api_error',
      code: 'invalid_output',
    });
  }
}
