/**
 * How a stream that stopped after its first byte is logged, whatever API it speaks: the client
 * hung up (logged as 499, the way nginx does; there is nobody left to tell), or the upstream
 * broke off (`stream_interrupted`, and the client gets the error in the stream's own format).
 */
import type { GatewayError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import { toGatewayError } from '../server/error-response.js';

/** Records why the stream stopped; returns the error to send the client, or undefined when the client is gone. */
export function recordStreamFailure(scope: RequestScope, error: unknown, logger: Logger): GatewayError | undefined {
  const record = scope.record;
  if (scope.signal.aborted) {
    record.status = 499;
    record.error_code = 'client_closed_request';
    record.error_message = 'the client closed the connection during the stream';
    return undefined;
  }
  const gatewayError = toGatewayError(error);
  record.status = gatewayError.status;
  record.error_code = 'stream_interrupted';
  record.error_message = `after first byte: ${gatewayError.message}`.slice(0, 500);
  logger.warn({ requestId: scope.id, code: gatewayError.code }, 'upstream stream failed after the first byte');
  return gatewayError;
}
