import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';

describe('request ids', () => {
  it('are 32 hex digits after req_ and unique', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newRequestId()));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('sort in the order they were made', () => {
    const ids = [newRequestId(1_700_000_000_000), newRequestId(1_700_000_000_001), newRequestId(1_700_000_000_001), newRequestId(1_800_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
  });
});
