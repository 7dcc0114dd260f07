#!/usr/bin/env node
/** Entry point of the `switchboard` binary. */
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv);
