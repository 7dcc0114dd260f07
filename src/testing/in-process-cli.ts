/**
 * Runs the CLI's commander program in this process and returns what it printed on stdout: for
 * tests of a command's output that need no separate process (cli-process.ts starts a real one).
 */
import { vi } from 'vitest';
import { buildProgram } from '../cli/program.js';

export async function runCliInProcess(args: string[]): Promise<string> {
  const output: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  try {
    const program = buildProgram();
    program.exitOverride();
    await program.parseAsync(['node', 'switchboard', ...args]);
  } finally {
    spy.mockRestore();
  }
  return output.join('');
}
