/**
 * Gauges read when Prometheus scrapes rather than on the request path: deployment circuit
 * states (from the reliability layer's health registry) and budget remaining (from the request
 * log, the same totals `keys list` shows).
 *
 * Budget series are labelled by key *name* and team name, never key id, and capped at
 * `metrics.budget_series_limit` per scope: the ones with the least of their budget left, which
 * are the ones an alert is for. A gateway with thousands of budgeted keys therefore exposes a
 * bounded number of series; `GET /api/keys` has the full list.
 */
import type { DeploymentHealthReport } from '../../reliability/health-registry.js';
import type { RequestLogStore } from '../../storage/request-log-store.js';
import { budgetWindow } from '../../governance/budgets/budget-window.js';
import type { BudgetPeriod, Limits } from '../../governance/governance-schema.js';
import { keyUsage } from '../../governance/keys/key-usage.js';
import type { VirtualKey } from '../../governance/keys/virtual-key.js';
import type { BudgetSeries, StateCollectors } from './instruments.js';

/** Circuit states under the names an operator reads on a dashboard. */
const STATE_NAMES = { closed: 'healthy', open: 'cooling_down', 'half-open': 'probing' } as const;

export interface StateSources {
  deployments(): readonly DeploymentHealthReport[];
  keys(): Promise<readonly VirtualKey[]>;
  teams(): Readonly<Record<string, Limits>>;
  store: RequestLogStore;
  /** Writes the records still buffered, so a scrape counts what was just spent. */
  flushLog(): Promise<void>;
  budgetSeriesLimit: number;
}

/**
 * Both budget gauges read one budget query per scrape. `text()` starts each scrape afresh; the
 * time bound covers scrapes it does not see (a worker answering the primary's aggregator).
 */
const BUDGET_SNAPSHOT_MS = 1000;

export function stateCollectors(sources: () => StateSources | undefined): StateCollectors {
  let snapshot: { at: number; series: Promise<readonly BudgetSeries[]> } | undefined;
  return {
    deploymentState(gauge) {
      gauge.reset();
      for (const report of sources()?.deployments() ?? []) {
        for (const [circuit, name] of Object.entries(STATE_NAMES)) {
          gauge.set({ model: report.model, deployment: report.deployment, state: name }, report.state === circuit ? 1 : 0);
        }
      }
    },
    deploymentInFlight(gauge) {
      gauge.reset();
      for (const report of sources()?.deployments() ?? []) gauge.set({ model: report.model, deployment: report.deployment }, report.in_flight);
    },
    startScrape() {
      snapshot = undefined;
    },
    budgets() {
      const now = Date.now();
      if (!snapshot || now - snapshot.at > BUDGET_SNAPSHOT_MS) {
        const current = sources();
        snapshot = { at: now, series: current ? budgetSeries(current, now) : Promise.resolve([]) };
      }
      return snapshot.series;
    },
  };
}

async function budgetSeries(sources: StateSources, now: number): Promise<BudgetSeries[]> {
  const limit = sources.budgetSeriesLimit;
  if (limit === 0) return [];
  await sources.flushLog();
  const keys = (await sources.keys()).filter((key) => key.budget_usd !== undefined && key.revoked_at === null);
  const usage = await keyUsage(sources.store, keys, now);
  const keySeries = keys.map((key): BudgetSeries => ({
    scope: 'key',
    name: key.name,
    period: key.budget_period,
    limitUsd: key.budget_usd!,
    remainingUsd: key.budget_usd! - (usage.get(key.id)?.costUsd ?? 0),
  }));
  const teamSeries = await teamBudgetSeries(sources, now);
  return [...leastLeft(keySeries, limit), ...leastLeft(teamSeries, limit)];
}

async function teamBudgetSeries(sources: StateSources, now: number): Promise<BudgetSeries[]> {
  const teams = Object.entries(sources.teams()).filter(([, limits]) => limits.budget_usd !== undefined);
  const spentByPeriod = new Map<BudgetPeriod, Map<string | null, number>>();
  for (const period of new Set(teams.map(([, limits]) => limits.budget_period))) {
    const window = budgetWindow(period, now);
    const rows = await sources.store.spend({ groupBy: 'team', from: window.start, to: window.end });
    spentByPeriod.set(period, new Map(rows.map((row) => [row.group, row.cost_usd])));
  }
  return teams.map(([name, limits]) => ({
    scope: 'team',
    name,
    period: limits.budget_period,
    limitUsd: limits.budget_usd!,
    remainingUsd: limits.budget_usd! - (spentByPeriod.get(limits.budget_period)?.get(name) ?? 0),
  }));
}

/** The `limit` series with the smallest share of their budget left; names with duplicates keep the first. */
function leastLeft(series: BudgetSeries[], limit: number): BudgetSeries[] {
  const seen = new Set<string>();
  return series
    .sort((a, b) => a.remainingUsd / a.limitUsd - b.remainingUsd / b.limitUsd)
    .filter((entry) => !seen.has(entry.name) && seen.add(entry.name))
    .slice(0, limit);
}
