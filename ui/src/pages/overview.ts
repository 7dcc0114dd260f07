/** Overview: spend, savings against always-flagship by lever, requests, error rate and latency over time. */
import { api, query } from '../api';
import { timeChart } from '../charts';
import { h, milliseconds, percent, stat, usd } from '../dom';
import type { Page } from '../page';
import { currentRange, rangePicker } from '../range';

export const overviewPage: Page = {
  id: 'overview',
  title: 'Overview',
  async render(root) {
    const draw = async () => {
      const range = currentRange();
      // Spend is /api/spend's own total, so the two can never disagree; the charts come from the time series.
      const [spend, series] = await Promise.all([
        api(`/api/spend${query({ from: range.from || undefined, to: range.to })}`),
        api(`/api/timeseries${query({ from: range.from, to: range.to, buckets: 48 })}`),
      ]);
      const totals = series.totals;
      const saved = totals.saved_usd;
      const x = series.buckets.map((bucket: any) => bucket.start);
      root.replaceChildren(
        h('div', { class: 'toolbar' }, h('h2', {}, 'Overview'), rangePicker(() => void draw())),
        h(
          'div',
          { class: 'stats' },
          stat('Spend', usd(spend.totals.cost_usd), spend.totals.cost_usd, 'spend'),
          stat('Always-flagship would cost', usd(totals.baseline_cost_usd), totals.baseline_cost_usd, 'baseline'),
          stat('Saved by routing', usd(saved.routing), saved.routing, 'saved-routing'),
          stat('Saved by cache', usd(saved.cache), saved.cache, 'saved-cache'),
          stat('Saved by context', usd(saved.context), saved.context, 'saved-context'),
          stat('Requests', String(spend.totals.requests), spend.totals.requests, 'requests'),
          stat('Error rate', totals.requests ? percent(totals.errors / totals.requests) : '–', totals.requests ? totals.errors / totals.requests : 0, 'error-rate'),
          stat('Latency p50 / p95', `${milliseconds(totals.p50_ms)} / ${milliseconds(totals.p95_ms)}`, totals.p95_ms ?? '', 'latency'),
        ),
        h(
          'div',
          { class: 'charts' },
          timeChart('Spend against always-flagship', x, [
            { label: 'spend', values: series.buckets.map((bucket: any) => bucket.cost_usd) },
            { label: 'always-flagship', values: series.buckets.map((bucket: any) => bucket.baseline_cost_usd) },
          ], { format: usd }),
          timeChart('Requests and errors', x, [
            { label: 'requests', values: series.buckets.map((bucket: any) => bucket.requests) },
            { label: 'errors', values: series.buckets.map((bucket: any) => bucket.errors) },
          ]),
          timeChart('Latency', x, [
            { label: 'p50', values: series.buckets.map((bucket: any) => bucket.p50_ms) },
            { label: 'p95', values: series.buckets.map((bucket: any) => bucket.p95_ms) },
          ], { format: (value) => milliseconds(value) }),
        ),
      );
    };
    await draw();
  },
};
