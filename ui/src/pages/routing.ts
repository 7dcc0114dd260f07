/**
 * Routing: strong against weak share over time, the router-score histogram with each learned
 * route's threshold, cascade escalations, and the what-if curve of quality against cost from the
 * route's labelled comparisons — which the learning loop provides at /api/comparisons; until
 * that endpoint exists the section says so.
 */
import { api, ApiError, query } from '../api';
import { histogram, timeChart } from '../charts';
import { emptyState, h, percent, stat } from '../dom';
import type { Page } from '../page';
import { currentRange, rangePicker } from '../range';

async function whatIf(route: string | undefined): Promise<HTMLElement> {
  const section = h('div', { class: 'chart', 'data-chart': 'What-if' }, h('h3', {}, `What-if: quality against cost${route ? ` (${route})` : ''}`));
  if (!route) {
    section.append(emptyState('The what-if curve is drawn for a learned route; none is configured.'));
    return section;
  }
  try {
    const comparisons = await api(`/api/comparisons${query({ route, limit: 1000 })}`);
    const points: Array<{ strong_share: number; quality: number; cost_usd: number }> = comparisons.curve ?? [];
    if (points.length === 0) section.append(emptyState('No labelled comparisons yet for this route.'));
    else
      section.append(
        h(
          'table',
          { class: 'what-if' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Strong share'), h('th', {}, 'Quality (chosen answer wins)'), h('th', {}, 'Cost of these requests'))),
          h('tbody', {}, ...points.map((point) => h('tr', {}, h('td', {}, percent(point.strong_share)), h('td', {}, percent(point.quality)), h('td', {}, `$${point.cost_usd.toPrecision(3)}`)))),
        ),
      );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) section.append(emptyState('The what-if curve needs labelled comparisons, which the learning loop collects. None yet.'));
    else throw error;
  }
  return section;
}

export const routingPage: Page = {
  id: 'routing',
  title: 'Routing',
  async render(root) {
    const draw = async () => {
      const range = currentRange();
      const [series, routes] = await Promise.all([api(`/api/timeseries${query({ from: range.from, to: range.to, buckets: 48 })}`), api('/api/routes')]);
      const x = series.buckets.map((bucket: any) => bucket.start);
      const strong = series.buckets.reduce((sum: number, bucket: any) => sum + bucket.strong, 0);
      const weak = series.buckets.reduce((sum: number, bucket: any) => sum + bucket.weak, 0);
      const thresholds = routes.data.filter((route: any) => route.threshold !== null).map((route: any) => ({ label: route.name, value: route.threshold }));
      root.replaceChildren(
        h('div', { class: 'toolbar' }, h('h2', {}, 'Routing'), rangePicker(() => void draw())),
        h(
          'div',
          { class: 'stats' },
          stat('Strong share', strong + weak ? percent(strong / (strong + weak)) : '–', strong + weak ? strong / (strong + weak) : '', 'strong-share'),
          stat('Routed to weak', String(weak), weak, 'weak'),
          stat('Routed to strong', String(strong), strong, 'strong'),
          stat('Cascade escalations', String(series.totals.escalated), series.totals.escalated, 'escalations'),
        ),
        h(
          'div',
          { class: 'charts' },
          timeChart('Strong against weak', x, [
            { label: 'strong', values: series.buckets.map((bucket: any) => bucket.strong) },
            { label: 'weak', values: series.buckets.map((bucket: any) => bucket.weak) },
            { label: 'escalated', values: series.buckets.map((bucket: any) => bucket.escalated) },
          ]),
          series.router_scores.count > 0 ? histogram('Router scores', series.router_scores.bins, thresholds) : h('div', { class: 'chart' }, h('h3', {}, 'Router scores'), emptyState('No learned-route decisions in this range.')),
          await whatIf(routes.data.find((route: any) => route.strategy === 'learned')?.name),
        ),
      );
    };
    await draw();
  },
};
