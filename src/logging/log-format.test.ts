import { describe, expect, it } from 'vitest';
import { resolveLogFormat } from './log-format.js';

describe('log format', () => {
  it('is human-readable on a terminal and JSON anywhere else, unless the config says which', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
