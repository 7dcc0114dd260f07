/**
 * What the guardrail stages did, for the request record's `guardrails` column and the metrics
 * read from it (observability/metrics/record-metrics.ts): `pii_masked=3; schema=repaired`.
 * Counts and verdicts only, never values.
 */
import type { RequestRecord } from '../storage/request-record.js';

export function noteGuardrail(record: RequestRecord, verdict: string): void {
  record.guardrails = record.guardrails ? `${record.guardrails}; ${verdict}` : verdict;
}
