import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../testing/prometheus-text.js';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

const BUCKETS = [0.01, 0.1, 1, 10];
const OBSERVATIONS: Array<[string, string, number]> = [
  ['chat', 'gpt-4o-mini', 0.004],
  ['chat', 'gpt-4o-mini', 0.01],
  ['chat', 'gpt-4o-mini', 0.5],
  ['chat', 'gpt-4o', 42],
  ['embeddings', 'text-embedding-3-small', 0.05],
];

/** The same observations through prom-client's own metrics and through the series metrics. */
function both() {
  const own = new Registry();
  const theirs = new Registry();
  const ownCounter = new SeriesCounter({ name: 'requests_total', help: 'Requests.', labelNames: ['operation', 'model'], registers: [own] });
  const ownHistogram = new SeriesHistogram({ name: 'duration_seconds', help: 'Duration.', labelNames: ['operation', 'model'], buckets: BUCKETS, registers: [own] });
  const promCounter = new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['operation', 'model'], registers: [theirs] });
  const promHistogram = new Histogram({ name: 'duration_seconds', help: 'Duration.', labelNames: ['operation', 'model'], buckets: BUCKETS, registers: [theirs] });
  for (const [operation, model, seconds] of OBSERVATIONS) {
    // The per-request path: a series kept and updated in place.
    ownCounter.series([operation, model]).value += 1;
    ownHistogram.series([operation, model]).observe(seconds);
    promCounter.inc({ operation, model });
    promHistogram.observe({ operation, model }, seconds);
  }
  ownCounter.inc({ operation: 'chat', model: 'gpt-4o' }, 2.5);
  promCounter.inc({ operation: 'chat', model: 'gpt-4o' }, 2.5);
  return { own, theirs };
}

/** Samples in a canonical order, labels sorted by name (the text's label order is not part of the format). */
const sorted = (text: string) =>
  parsePrometheusText(text)
    .map((sample) => ({ ...sample, labels: Object.fromEntries(Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b))) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('series metrics', () => {
  it('expose exactly the samples prom-client would for the same counts and observations', async () => {
    const { own, theirs } = both();
    const ownText = await own.metrics();
    expect(sorted(ownText)).toEqual(sorted(await theirs.metrics()));
    expect(ownText).toContain('# TYPE duration_seconds histogram');
    expect(ownText).toContain('duration_seconds_bucket{operation="chat",model="gpt-4o-mini",le="0.01"} 2');
    expect(ownText).toContain('duration_seconds_bucket{operation="chat",model="gpt-4o",le="+Inf"} 1');
  });

  it('add up across workers like prom-client metrics (serve --workers)', async () => {
    const first = both();
    const second = both();
    const ours = AggregatorRegistry.aggregate([await first.own.getMetricsAsJSON(), await second.own.getMetricsAsJSON()]);
    const reference = AggregatorRegistry.aggregate([await first.theirs.getMetricsAsJSON(), await second.theirs.getMetricsAsJSON()]);
    expect(sorted(await ours.metrics())).toEqual(sorted(await reference.metrics()));
    const samples = parsePrometheusText(await ours.metrics());
    expect(samples.find((sample) => sample.name === 'duration_seconds_count' && sample.labels.model === 'gpt-4o-mini')?.value).toBe(6);
  });

  it('keep a series made once, and zero it on reset', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'events_total', help: 'Events.', labelNames: ['kind'], registers: [registry] });
    const series = counter.series(['a']);
    expect(counter.series(['a'])).toBe(series);
    series.value += 3;
    registry.resetMetrics();
    series.value += 1;
    expect(parsePrometheusText(await registry.metrics())).toEqual([{ name: 'events_total', labels: { kind: 'a' }, value: 1 }]);
  });
});
