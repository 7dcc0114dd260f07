/**
 * Turns one finished request record into metric updates. Called once per model request, from
 * the log step (storage/log-request.ts), so every number here is the one the request log holds:
 * no stage counts anything on its own.
 */
import type { RequestRecord } from '../../storage/request-record.js';
import { BoundedValues, decisionTier, genAiOperationName, genAiProviderName, modelLabel, type KnownNames } from './bounded-labels.js';
import type { Instruments } from './instruments.js';
import type { CounterSeries, HistogramSeries } from './series-metrics.js';

/** Open sets the gateway produces itself, each capped in case a code path invents values. */
export interface LabelBounds {
  errorCodes: BoundedValues;
  guardrails: BoundedValues;
  verdicts: BoundedValues;
  surfaces: BoundedValues;
}

export function newLabelBounds(): LabelBounds {
  return { errorCodes: new BoundedValues(100), guardrails: new BoundedValues(30), verdicts: new BoundedValues(50), surfaces: new BoundedValues(20) };
}

/**
 * The series one request moves, for one tuple of its labels: found by one key per request and
 * updated in place (series-metrics.ts), instead of a label object hashed per metric update.
 */
interface RequestSeries {
  requests: CounterSeries;
  duration: HistogramSeries;
  timeToFirstToken: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  cachedTokens: HistogramSeries;
  cost: CounterSeries;
  overhead: HistogramSeries;
  /** The common attempt: the served model's provider answered at the first try. */
  servedSuccess: CounterSeries;
}

/** Label tuples are bounded (bounded-labels.ts), so this map is too; it is cleared if it ever grows past this. */
const MAX_REQUEST_SERIES = 10_000;

export class RequestSeriesCache {
  private readonly bySeriesKey = new Map<string, RequestSeries>();

  constructor(private readonly instruments: Instruments) {}

  get(surface: string, requested: string, served: string, route: string, status: string, provider: string, errorType: string, operation: string, providerName: string): RequestSeries {
    const key = `${surface}\u0001${requested}\u0001${served}\u0001${route}\u0001${status}\u0001${provider}\u0001${errorType}\u0001${operation}`;
    let series = this.bySeriesKey.get(key);
    if (!series) {
      if (this.bySeriesKey.size >= MAX_REQUEST_SERIES) this.bySeriesKey.clear();
      const instruments = this.instruments;
      const genAi = [operation, providerName, requested, served];
      series = {
        requests: instruments.requests.series([surface, requested, route, status]),
        duration: instruments.operationDuration.series([...genAi, errorType]),
        timeToFirstToken: instruments.timeToFirstToken.series(genAi),
        inputTokens: instruments.tokenUsage.series([...genAi, 'input']),
        outputTokens: instruments.tokenUsage.series([...genAi, 'output']),
        cachedTokens: instruments.tokenUsage.series([...genAi, 'cache_read']),
        cost: instruments.cost.series([provider, served]),
        overhead: instruments.overhead.series([surface]),
        servedSuccess: instruments.attempts.series([provider, served, 'success']),
      };
      this.bySeriesKey.set(key, series);
    }
    return series;
  }

  clear(): void {
    this.bySeriesKey.clear();
  }
}

export function recordMetrics(instruments: Instruments, bounds: LabelBounds, cache: RequestSeriesCache, record: RequestRecord, known: KnownNames): void {
  const requested = modelLabel(record.requested_model, known);
  const served = modelLabel(record.served_model, known);
  const route = record.route === null ? '' : modelLabel(record.route, known);
  const surface = bounds.surfaces.label(record.surface ?? '');
  const failed = record.status >= 400;
  const errorType = failed ? bounds.errorCodes.label(record.error_code ?? String(record.status)) : '';
  const provider = record.provider ?? '';
  const series = cache.get(surface, requested, served, route, String(record.status), provider, errorType, genAiOperationName(record.surface, record.endpoint), genAiProviderName(record.provider));

  series.requests.value += 1;
  series.duration.observe(record.latency_ms / 1000);
  if (record.ttft_ms !== null) series.timeToFirstToken.observe(record.ttft_ms / 1000);
  if (!failed || record.prompt_tokens > 0) {
    series.inputTokens.observe(record.prompt_tokens);
    series.outputTokens.observe(record.completion_tokens);
    if (record.cached_tokens > 0) series.cachedTokens.observe(record.cached_tokens);
  }
  if (record.cost_usd > 0) series.cost.value += record.cost_usd;

  recordSavings(instruments, record, route);
  if (!record.streamed && !failed && record.attempts.length > 0) {
    let upstreamMs = 0;
    for (const attempt of record.attempts) upstreamMs += attempt.latency_ms + (attempt.backoff_ms ?? 0);
    series.overhead.observe(Math.max(0, record.latency_ms - upstreamMs) / 1000);
  }
  if (record.route_decision !== null) {
    instruments.routerDecisions.inc({ route, decision: decisionTier(record.route_decision) });
    if (record.route_decision === 'escalated') instruments.cascadeEscalations.inc({ route });
  }
  if (record.cache_status !== null) instruments.cache.inc({ status: bounds.verdicts.label(record.cache_status.toLowerCase()) });
  if (record.guardrails !== null) recordGuardrails(instruments, bounds, record.guardrails);
  const attempts = record.attempts;
  if (attempts.length === 1 && attempts[0]!.error_code === null && attempts[0]!.provider === provider && attempts[0]!.model === record.served_model) series.servedSuccess.value += 1;
  else if (attempts.length > 0) recordAttempts(instruments, bounds, record, known);
}

/**
 * Routing saves what the strong model would have cost minus what was paid, when positive (a
 * cascade that escalated paid for both calls: its extra shows as cascade escalations, and in
 * baseline minus cost). Cache and context savings are what those stages recorded.
 */
function recordSavings(instruments: Instruments, record: RequestRecord, route: string): void {
  if (record.baseline_cost_usd !== null) {
    if (route !== '') instruments.baselineCost.inc({ route }, record.baseline_cost_usd);
    // The baseline holds the cache's and the context limit's savings too (storage/log-request.ts).
    const routing = record.baseline_cost_usd - record.cost_usd - (record.cache_saved_usd ?? 0) - (record.context_saved_usd ?? 0);
    if (routing > 0) instruments.saved.inc({ lever: 'routing' }, routing);
  }
  if (record.cache_saved_usd) instruments.saved.inc({ lever: 'cache' }, record.cache_saved_usd);
  if (record.context_saved_usd) instruments.saved.inc({ lever: 'context' }, record.context_saved_usd);
}

/** `pii_masked=3; schema=repaired` → (pii_masked, applied), (schema, repaired): counts are not verdicts. */
function recordGuardrails(instruments: Instruments, bounds: LabelBounds, summary: string): void {
  for (const part of summary.split(';')) {
    const [name, value] = part.split('=', 2).map((text) => text.trim());
    if (!name) continue;
    const verdict = value === undefined || value === '' || /^\d+$/.test(value) ? 'applied' : value;
    instruments.guardrails.inc({ guardrail: bounds.guardrails.label(name), verdict: bounds.verdicts.label(verdict) });
  }
}

/** Each attempt by result; a repeated model is a retry, a change of model after a failure a fallback. */
function recordAttempts(instruments: Instruments, bounds: LabelBounds, record: RequestRecord, known: KnownNames): void {
  let previous: { model: string; failed: boolean } | undefined;
  for (const attempt of record.attempts) {
    const model = modelLabel(attempt.model, known);
    const failed = attempt.error_code !== null;
    instruments.attempts.inc({ provider: attempt.provider, model, result: failed ? bounds.errorCodes.label(attempt.error_code!) : 'success' });
    if (previous?.failed) {
      if (previous.model === model) instruments.retries.inc({ model });
      else instruments.fallbacks.inc({ model: previous.model });
    }
    previous = { model, failed };
  }
}
