/**
 * One row of the durable request log: every request, successful or not, gets exactly one.
 */
export interface AttemptRecord {
  /** Deployment id, such as `gpt-4o-mini#1`. */
  deployment: string;
  model: string;
  provider: string;
  /** Upstream HTTP status, or null for a network failure or timeout. */
  status: number | null;
  /** Gateway error code when the attempt failed (`upstream_timeout`, `rate_limit_exceeded`…). */
  error_code: string | null;
  latency_ms: number;
  /** Why the attempt failed, in a sentence (no secrets: upstream messages only). */
  error_message?: string;
  /** Backoff slept before this attempt, when it retried a deployment already tried. */
  backoff_ms?: number;
  /** For a successful call: its tokens and cost, so a cascade's two calls each show theirs. */
  prompt_tokens?: number;
  completion_tokens?: number;
  cost_usd?: number;
}

export interface RequestRecord {
  id: string;
  /** Milliseconds since the epoch at which the request arrived. */
  timestamp: number;
  endpoint: string;
  requested_model: string | null;
  served_model: string | null;
  provider: string | null;
  deployment: string | null;
  route: string | null;
  route_strategy: string | null;
  /** What the router chose (`weak`, `strong`, `cascade:escalated`…) and why. */
  route_decision: string | null;
  route_reason: string | null;
  router_score: number | null;
  status: number;
  error_code: string | null;
  error_message: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  /** True when tokens were counted by us because the upstream reported no usage. */
  cost_estimated: boolean;
  /** What the request would have cost on the route's strong model (savings reports). */
  baseline_cost_usd: number | null;
  latency_ms: number;
  /** Time to first token, for streams. */
  ttft_ms: number | null;
  streamed: boolean;
  /** Every upstream call made for this request, in order. */
  attempts: AttemptRecord[];
  key_id: string | null;
  team: string | null;
  end_user: string | null;
  /** Degradation applied near a budget, if any. */
  degradation: string | null;
  metadata: Record<string, string> | null;
  request_body: string | null;
  response_body: string | null;
  /** The API the request came in on: `chat-completions`, `messages`, `responses`, `embeddings`, `batch`. */
  surface: string | null;
  /** Something about the request that deserves a look: usage an upstream over-reported (and was clamped)… */
  anomaly: string | null;
  /** The cache stage's verdict: `HIT`, `SEMANTIC_HIT`, `MISS` or `BYPASS`; null with the cache off. */
  cache_status: string | null;
  /** What a cache hit saved: the original answer's cost (the request itself costs 0). */
  cache_saved_usd: number | null;
  /** What trimming or summarising the context saved, at the served model's input price. */
  context_saved_usd: number | null;
  /** What the guardrail stages did, without values: `pii_masked=3; schema=repaired`. */
  guardrails: string | null;
  /** The gateway batch this request was a line of (src/batch); null for a live request. */
  batch_id: string | null;
  /** For a batch line: what the same tokens cost at the live (non-batch) price, so reports show the batch saving. */
  live_cost_usd: number | null;
}

export function emptyRecord(id: string, endpoint: string, timestamp = Date.now()): RequestRecord {
  return {
    id,
    timestamp,
    endpoint,
    requested_model: null,
    served_model: null,
    provider: null,
    deployment: null,
    route: null,
    route_strategy: null,
    route_decision: null,
    route_reason: null,
    router_score: null,
    status: 200,
    error_code: null,
    error_message: null,
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    cost_estimated: false,
    baseline_cost_usd: null,
    latency_ms: 0,
    ttft_ms: null,
    streamed: false,
    attempts: [],
    key_id: null,
    team: null,
    end_user: null,
    degradation: null,
    metadata: null,
    request_body: null,
    response_body: null,
    surface: null,
    anomaly: null,
    cache_status: null,
    cache_saved_usd: null,
    context_saved_usd: null,
    guardrails: null,
    batch_id: null,
    live_cost_usd: null,
  };
}
