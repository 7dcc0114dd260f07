/**
 * The process logger (pino) on stdout, in one format for the whole run: human-readable lines
 * when stdout is a terminal, JSON lines when it is not (a file, a pipe, a log collector) or when
 * `logging.format: json` asks for it. Secrets are redacted by path, and the error serializer
 * keeps stack traces out of anything but debug output.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { resolveLogFormat, type LogFormat } from './log-format.js';
import { scrubSecrets } from '../security/secret-scrubber.js';

export interface LoggerSettings {
  level: string;
  format?: LogFormat;
}

/** The process logger's options; exported for the test that checks secrets stay out of it. */
export const LOGGER_OPTIONS: LoggerOptions = {
  base: { service: 'switchboard' },
  redact: {
    paths: ['api_key', '*.api_key', '*.*.api_key', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'key', '*.key'],
    censor: '[redacted]',
  },
  serializers: {
    err: (error: Error & { code?: string }) => ({ type: error?.name, message: typeof error?.message === 'string' ? scrubSecrets(error.message) : error?.message, code: error?.code }),
  },
  hooks: {
    // The message text of every line, scrubbed of configured secrets and credential shapes.
    logMethod(args, method) {
      for (let index = 0; index < args.length; index++) if (typeof args[index] === 'string') args[index] = scrubSecrets(args[index] as string);
      return method.apply(this, args as Parameters<typeof method>);
    },
  },
};

export function createLogger(settings: LoggerSettings | string): Logger {
  const { level, format } = typeof settings === 'string' ? { level: settings, format: undefined } : settings;
  return pino({ ...LOGGER_OPTIONS, level }, destination(resolveLogFormat(format)));
}

function destination(format: 'json' | 'pretty'): DestinationStream {
  if (format === 'json') return pino.destination({ fd: 1, sync: false });
  // Formatting happens in this thread: fine for a terminal, which a person reads at human speed.
  return pretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
}

/**
 * A logger for lines that are always shown whatever `logging.level` says (the startup banner),
 * in the same format as every other line.
 */
export function announcer(logger: Logger): Logger {
  return logger.child({}, { level: 'info' });
}

export type { Logger };
