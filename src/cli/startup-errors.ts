/**
 * Startup failures a user can fix, as one line each naming the cause and the fix: a config
 * mistake, a port already taken, a host this machine does not have. Anything else is a bug and
 * keeps its stack trace.
 */
import { ConfigError } from '../config/config-error.js';
import { INPUT_ERROR_EXIT_CODE } from './command-errors.js';

export interface ListenTarget {
  host: string;
  port: number;
}

/** The one-line explanation of a startup failure, or undefined when it is not the user's to fix. */
export function describeStartupError(error: unknown, listen?: ListenTarget): string | undefined {
  if (error instanceof ConfigError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!listen) return undefined;
  const { host, port } = listen;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use (another switchboard?); stop that process, or choose another port with --port ${port < 65535 ? port + 1 : port - 1}`;
  if (code === 'EACCES') return `port ${port} on ${host} needs more privileges than this user has; choose a port above 1023 with --port 4100`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine; choose another with --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every interface)`;
  return undefined;
}

/** Prints `error: …` for each line of the message on stderr and exits 2, without a stack trace. */
export function exitWithInputError(message: string): never {
  for (const line of message.split('\n')) process.stderr.write(`error: ${line}\n`);
  process.exit(INPUT_ERROR_EXIT_CODE);
}
