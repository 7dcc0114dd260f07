/**
 * Runs a command's action and turns expected failures (missing files, bad data, bad arguments)
 * into commander's one-line `error: …` and a non-zero exit, without a stack trace. Anything
 * else is a bug and keeps its stack.
 */
import type { Command } from 'commander';
import { RoutingDatasetError } from '../routing/evaluation/routing-dataset.js';
import { RouterFileError } from '../routing/learned/router-file.js';

/** A failure the user can fix: the message says how. */
export class CommandInputError extends Error {
  override name = 'CommandInputError';
}

export const INPUT_ERROR_EXIT_CODE = 2;

export function isInputError(error: unknown): error is Error {
  return error instanceof CommandInputError || error instanceof RoutingDatasetError || error instanceof RouterFileError || (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export function guardedAction<Options>(command: Command, action: (options: Options) => Promise<void> | void): (options: Options) => Promise<void> {
  return async (options) => {
    try {
      await action(options);
    } catch (error) {
      if (isInputError(error)) command.error(`error: ${error.message}`, { exitCode: INPUT_ERROR_EXIT_CODE, code: 'switchboard.input' });
      throw error;
    }
  };
}
