#!/usr/bin/env node
/** Entry point of the `switchboard` binary. */
import { followRelaunchingParent, relaunchWithHeapTuning } from './heap-tuning.js';

// `serve` relaunches itself once with V8's young generation enlarged (heap-tuning.ts); the rest
// of the CLI is loaded only by the process that runs the command.
if (!relaunchWithHeapTuning()) {
  followRelaunchingParent();
  const { buildProgram } = await import('./program.js');
  await buildProgram().parseAsync(process.argv);
}
