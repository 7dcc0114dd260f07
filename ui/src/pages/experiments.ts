/**
 * Experiments: the routes with `strategy: experiment` (`GET /api/routes`) and, for the one picked,
 * its arms from `GET /api/experiments/{name}`: requests, errors, cost per request, p50 and p95
 * latency, the judge's win rate and the feedback mean, each with its 95% interval, then each arm
 * against the control and whether the difference is significant yet.
 */
import { api } from '../api';
import { emptyState, h, milliseconds, percent, preciseUsd, stat } from '../dom';
import type { Page } from '../page';

interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** `0.0123 (0.0101–0.0145)`; a dash with no samples, the value alone with too few for an interval. */
function estimate(value: Estimate, format: (number: number) => string): HTMLElement {
  if (value.value === null) return h('td', { class: 'note' }, '–');
  const interval = value.low === null || value.high === null ? '' : ` (${format(value.low)}–${format(value.high)})`;
  return h('td', { 'data-value': value.value, title: `n = ${value.n}` }, format(value.value), h('span', { class: 'note' }, interval));
}

const METRIC_FORMATS: Record<string, (value: number) => string> = {
  cost_per_request: preciseUsd,
  latency_ms: milliseconds,
  judge_win_rate: (value) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`,
  feedback_mean: (value) => value.toFixed(3),
};

function report(experiment: any): HTMLElement[] {
  const arms = h('div', { class: 'results' }, h('table', { class: 'arms' },
    h('thead', {}, h('tr', {}, ...['Arm', 'Route', 'Weight', 'Requests', 'Errors', 'Cost / request', 'p50 latency', 'p95 latency', 'Judge win rate', 'Feedback mean'].map((title) => h('th', {}, title)))),
    h('tbody', {}, ...experiment.arms.map((arm: any, index: number) =>
      h('tr', { 'data-arm': arm.name },
        h('td', {}, arm.name, index === 0 ? h('span', { class: 'badge' }, 'control') : null),
        h('td', {}, arm.route),
        h('td', {}, arm.weight),
        h('td', { 'data-requests': arm.requests }, arm.requests),
        h('td', { class: arm.errors > 0 ? 'bad' : '' }, arm.errors),
        estimate(arm.cost_per_request, preciseUsd),
        estimate(arm.latency_ms.p50, milliseconds),
        estimate(arm.latency_ms.p95, milliseconds),
        estimate(arm.judge_win_rate, percent),
        estimate(arm.feedback_mean, (value) => value.toFixed(3)))))));
  const differences = experiment.comparisons.length === 0
    ? emptyState('No comparison yet: each arm needs at least two samples of a metric.')
    : h('div', { class: 'results' }, h('table', { class: 'differences' },
        h('thead', {}, h('tr', {}, ...['Arm', 'Against', 'Metric', 'Difference', 'p-value', 'Significant'].map((title) => h('th', {}, title)))),
        h('tbody', {}, ...experiment.comparisons.map((comparison: any) =>
          h('tr', { 'data-metric': `${comparison.arm}:${comparison.metric}` },
            h('td', {}, comparison.arm),
            h('td', {}, comparison.against),
            h('td', {}, comparison.metric.replaceAll('_', ' ')),
            h('td', {}, (METRIC_FORMATS[comparison.metric] ?? String)(comparison.difference)),
            h('td', {}, comparison.p_value < 0.0001 ? '< 0.0001' : comparison.p_value.toFixed(4)),
            h('td', { class: comparison.significant ? 'good' : 'note' }, comparison.significant ? 'yes' : 'not yet'))))));
  const total = experiment.arms.reduce((sum: number, arm: any) => sum + arm.requests, 0);
  return [
    h('div', { class: 'stats' },
      stat('Requests', String(total), total, 'experiment-requests'),
      stat('Arms', String(experiment.arms.length), experiment.arms.length, 'arms'),
      stat('Sticky by', experiment.sticky, experiment.sticky, 'sticky'),
      stat('Significant difference', experiment.significant ? 'yes' : 'not yet', String(experiment.significant), 'significant')),
    h('h3', {}, 'Arms (95% intervals)'),
    arms,
    h('h3', { class: 'spaced' }, 'Against the control'),
    differences,
    h('p', { class: 'note' }, experiment.note),
  ];
}

export const experimentsPage: Page = {
  id: 'experiments',
  title: 'Experiments',
  async render(root) {
    const routes = await api('/api/routes');
    const names: string[] = routes.data.filter((route: any) => route.strategy === 'experiment').map((route: any) => route.name);
    const header = h('div', { class: 'toolbar' }, h('h2', {}, 'Experiments'));
    if (names.length === 0) {
      root.replaceChildren(header, emptyState('No experiments: add a route with `strategy: experiment` (docs/learning.md).'));
      return;
    }
    const select = h('select', { name: 'experiment', 'aria-label': 'Experiment' }, ...names.map((name) => h('option', { value: name }, name)));
    const content = h('div', { class: 'experiment' });
    const load = async () => {
      const experiment = await api(`/api/experiments/${encodeURIComponent(select.value)}`);
      content.replaceChildren(...report(experiment));
      content.setAttribute('data-experiment', experiment.name);
    };
    select.addEventListener('change', () => void load());
    header.append(select);
    root.replaceChildren(header, content);
    await load();
  },
};
