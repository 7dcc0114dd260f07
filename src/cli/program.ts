/**
 * The `switchboard` command line. Each command registers itself from its own file in
 * `commands/`, so this file only assembles them and tests can build the program in-process.
 */
import { Command } from 'commander';
import { registerServeCommand } from './commands/serve.js';
import { registerRouterCommands } from './commands/router.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerSpendCommand } from './commands/spend.js';
import { registerCostCommand } from './commands/cost-estimate.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerReviewCommand } from './commands/review.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('switchboard')
    .description('Self-hosted LLM gateway: one OpenAI-compatible endpoint, cost-quality routing, budgets and fallbacks.')
    .version('0.1.0');
  registerServeCommand(program);
  registerRouterCommands(program);
  registerEvalCommand(program);
  registerKeysCommand(program);
  registerSpendCommand(program);
  registerCostCommand(program);
  registerAuditCommand(program);
  registerLogsCommand(program);
  registerReviewCommand(program);
  return program;
}
