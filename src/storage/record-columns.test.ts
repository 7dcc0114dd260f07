import { describe, expect, it } from 'vitest';
import { emptyRecord } from './request-record.js';
import { RECORD_COLUMNS, rowFromRecord, rowValuesFromRecord } from './record-columns.js';

describe('record columns', () => {
  it('puts every value of a record in the position of its column', () => {
    const record = emptyRecord('req_1', '/v1/chat/completions');
    // A distinct value per field, so a swapped pair of columns cannot go unnoticed.
    Object.assign(record, {
      requested_model: 'auto', served_model: 'gpt-4o-mini', provider: 'openai', deployment: 'gpt-4o-mini#0',
      route: 'auto', route_strategy: 'learned', route_decision: 'weak', route_reason: 'score below threshold', router_score: 0.25,
      status: 200, error_code: 'e', error_message: 'm', prompt_tokens: 11, completion_tokens: 12, cached_tokens: 13, reasoning_tokens: 14,
      cost_usd: 0.5, cost_estimated: true, baseline_cost_usd: 0.75, latency_ms: 21, ttft_ms: 22, streamed: true,
      attempts: [{ deployment: 'd', model: 'm', provider: 'p', status: 200, error_code: null, latency_ms: 1 }],
      key_id: 'key_1', team: 'search', end_user: 'user-9', degradation: 'downgraded', metadata: { feature: 'chat' },
      request_body: '{"a":1}', response_body: '{"b":2}', surface: 'messages', anomaly: 'usage clamped', cache_status: 'HIT', cache_saved_usd: 0.25, context_saved_usd: 0.125, guardrails: 'pii_masked=1', batch_id: 'batch_1', live_cost_usd: 1.5,
    });
    const byName = rowFromRecord(record, { booleansAsIntegers: true });
    const values = rowValuesFromRecord(record, { booleansAsIntegers: true });
    expect(values).toHaveLength(RECORD_COLUMNS.length);
    expect(Object.fromEntries(RECORD_COLUMNS.map((column, index) => [column, values[index]]))).toEqual(
      Object.fromEntries(RECORD_COLUMNS.map((column) => [column, byName[column]])),
    );
  });
});
