import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('the switchboard command line', () => {
  it('says each default once: commander prints "(default: …)" for options that have a default value', () => {
    const repeated: string[] = [];
    for (const command of allCommands(buildProgram())) {
      for (const option of command.options) {
        if (option.defaultValue !== undefined && /\(default[ :]/.test(option.description)) repeated.push(`${command.name()} ${option.flags}`);
      }
      const help = command.helpInformation();
      expect(help).not.toMatch(/\(default[^)]*\)\s*\(default/);
    }
    expect(repeated).toEqual([]);
  });
});
