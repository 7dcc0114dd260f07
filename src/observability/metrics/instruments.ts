/**
 * Every Prometheus metric the gateway exposes, in one registry per gateway. Names follow the
 * OpenTelemetry GenAI conventions in their Prometheus form (`gen_ai.client.token.usage` →
 * `gen_ai_client_token_usage`), and the gateway's own are `switchboard_*`. Every label is
 * bounded (bounded-labels.ts): no key id, user or cost is ever a label.
 *
 * `aggregator` says how `serve --workers N` combines the workers' values in one scrape:
 * counters and histograms add up; budget gauges read the same database in every worker, so the
 * smallest (most cautious) is shown.
 *
 * Counters and histograms moved per request are series metrics (series-metrics.ts): a request
 * updates numbers in place and prom-client reads them at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

/** OpenTelemetry GenAI bucket advice (semantic-conventions gen-ai-metrics). */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const FIRST_TOKEN_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** The gateway's own time: tens of microseconds to a few milliseconds. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

const GEN_AI_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model'] as const;

/** Fills the scrape-time gauges (state-collectors.ts); called by prom-client on every scrape. */
export interface StateCollectors {
  deploymentState(gauge: Gauge<'model' | 'deployment' | 'state'>): void;
  deploymentInFlight(gauge: Gauge<'model' | 'deployment'>): void;
  /** The budget series of this scrape; both budget gauges read the same (memoised) answer. */
  budgets(): Promise<readonly BudgetSeries[]>;
  /** A new scrape starts: budgets are read afresh, so a key created since the last scrape shows. */
  startScrape(): void;
}

export interface BudgetSeries {
  scope: 'key' | 'team';
  name: string;
  period: string;
  limitUsd: number;
  remainingUsd: number;
}

async function collectBudgets(gauge: Gauge<'scope' | 'name' | 'period'>, state: StateCollectors, value: (series: BudgetSeries) => number): Promise<void> {
  const series = await state.budgets();
  gauge.reset();
  for (const entry of series) gauge.set({ scope: entry.scope, name: entry.name, period: entry.period }, value(entry));
}

export function createInstruments(registry: Registry, state: StateCollectors) {
  const registers = [registry];
  return {
    tokenUsage: new SeriesHistogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens used per request, by token type (input, output, cache_read).',
      labelNames: [...GEN_AI_LABELS, 'gen_ai_token_type'],
      buckets: TOKEN_BUCKETS,
      registers,
    }),
    operationDuration: new SeriesHistogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'Duration of a request through the gateway, upstream calls included.',
      labelNames: [...GEN_AI_LABELS, 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    timeToFirstToken: new SeriesHistogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time from the request to the first streamed token.',
      labelNames: GEN_AI_LABELS,
      buckets: FIRST_TOKEN_BUCKETS,
      registers,
    }),
    requests: new SeriesCounter({
      name: 'switchboard_requests_total',
      help: 'Model requests, by surface, requested model or route, and HTTP status.',
      labelNames: ['surface', 'model', 'route', 'status'],
      registers,
    }),
    cost: new SeriesCounter({
      name: 'switchboard_cost_usd_total',
      help: 'What requests cost upstream, in USD, by provider and served model.',
      labelNames: ['provider', 'model'],
      registers,
    }),
    baselineCost: new SeriesCounter({
      name: 'switchboard_baseline_cost_usd_total',
      help: 'What routed requests would have cost on their route\'s strong (flagship) model, in USD.',
      labelNames: ['route'],
      registers,
    }),
    saved: new SeriesCounter({
      name: 'switchboard_saved_usd_total',
      help: 'USD saved against always-flagship, by lever: routing, cache, context.',
      labelNames: ['lever'],
      registers,
    }),
    overhead: new SeriesHistogram({
      name: 'switchboard_gateway_overhead_seconds',
      help: 'Time the gateway itself added to a whole (non-streamed) answer: latency minus upstream calls and backoff.',
      labelNames: ['surface'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    }),
    routerDecisions: new SeriesCounter({
      name: 'switchboard_router_decisions_total',
      help: 'Routing decisions of two-model routes: strong, weak, or other (rules, fixed routes).',
      labelNames: ['route', 'decision'],
      registers,
    }),
    cascadeEscalations: new SeriesCounter({
      name: 'switchboard_cascade_escalations_total',
      help: 'Cascade requests whose weak answer failed a check and went to the strong model.',
      labelNames: ['route'],
      registers,
    }),
    cache: new SeriesCounter({
      name: 'switchboard_cache_requests_total',
      help: 'Cache lookups by verdict: hit, semantic_hit, miss, bypass.',
      labelNames: ['status'],
      registers,
    }),
    shadowComparisons: new SeriesCounter({
      name: 'switchboard_shadow_comparisons_total',
      help: 'Shadow tests: the other model\'s answer compared with the served one, agree or disagree.',
      labelNames: ['route', 'outcome'],
      registers,
    }),
    judgeVerdicts: new SeriesCounter({
      name: 'switchboard_judge_verdicts_total',
      help: 'Judge verdicts on weak against strong answers: weak, strong, tie, or error.',
      labelNames: ['route', 'verdict'],
      registers,
    }),
    guardrails: new SeriesCounter({
      name: 'switchboard_guardrail_verdicts_total',
      help: 'What guardrail stages did, by guardrail and verdict (pii_masked/applied, schema/repaired…).',
      labelNames: ['guardrail', 'verdict'],
      registers,
    }),
    attempts: new SeriesCounter({
      name: 'switchboard_upstream_attempts_total',
      help: 'Upstream calls, by provider, model and result (success or the error code).',
      labelNames: ['provider', 'model', 'result'],
      registers,
    }),
    retries: new SeriesCounter({
      name: 'switchboard_upstream_retries_total',
      help: 'Upstream calls that repeated a call to the same model.',
      labelNames: ['model'],
      registers,
    }),
    fallbacks: new SeriesCounter({
      name: 'switchboard_upstream_fallbacks_total',
      help: 'Moves to another model after a failure (a fallback or a context-window or content-filter detour).',
      labelNames: ['model'],
      registers,
    }),
    deploymentState: new Gauge({
      name: 'switchboard_deployment_state',
      help: 'Deployments by circuit state (healthy, cooling_down, probing); with --workers, how many workers see that state.',
      labelNames: ['model', 'deployment', 'state'],
      registers,
      collect() {
        state.deploymentState(this);
      },
    }),
    deploymentInFlight: new Gauge({
      name: 'switchboard_deployment_in_flight',
      help: 'Upstream calls in flight per deployment.',
      labelNames: ['model', 'deployment'],
      registers,
      collect() {
        state.deploymentInFlight(this);
      },
    }),
    budgetRemaining: new Gauge({
      name: 'switchboard_budget_remaining_usd',
      async collect() {
        await collectBudgets(this, state, (series) => series.remainingUsd);
      },
      help: 'USD left in the current budget window, by scope (key by name, team) — at most metrics.budget_series_limit of each, least left first.',
      labelNames: ['scope', 'name', 'period'],
      aggregator: 'min',
      registers,
    }),
    budgetLimit: new Gauge({
      name: 'switchboard_budget_limit_usd',
      help: 'The USD budget of the same series as switchboard_budget_remaining_usd.',
      labelNames: ['scope', 'name', 'period'],
      aggregator: 'min',
      registers,
      async collect() {
        await collectBudgets(this, state, (series) => series.limitUsd);
      },
    }),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;
