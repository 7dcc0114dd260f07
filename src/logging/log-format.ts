/** How log lines look: `auto` is human-readable on a terminal and JSON anywhere else. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function resolveLogFormat(format: LogFormat = 'auto', stdoutIsTerminal = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTerminal ? 'pretty' : 'json';
}
