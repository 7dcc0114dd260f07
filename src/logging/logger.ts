/**
 * The process logger (pino, JSON lines on stderr). Secrets are redacted by path, and the error
 * serializer keeps stack traces out of anything but debug output.
 */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    redact: {
      paths: ['api_key', '*.api_key', '*.*.api_key', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'key', '*.key'],
      censor: '[redacted]',
    },
    serializers: {
      err: (error: Error & { code?: string }) => ({ type: error?.name, message: error?.message, code: error?.code }),
    },
  }, pino.destination({ fd: 2, sync: false }));
}

export type { Logger };
