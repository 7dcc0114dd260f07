/**
 * Counters and histograms counted per request at the cost of a number update, and read by
 * prom-client only when scraped.
 *
 * prom-client's own `inc(labels)` / `observe(labels)` validate every label name and hash the
 * label object (its keys sorted and joined) on each call: with the six to ten updates a request
 * makes, that was ~15 µs of CPU a request, a tenth of the gateway's whole cost. Here a series is
 * an object made once per distinct label tuple (`series(values)`), which callers keep and update
 * in place (`cell.value += 1`, `histogramSeries.observe(x)`); record-metrics.ts keeps the
 * series a request moves together, found by one key per request.
 *
 * Both classes are metrics as a prom-client `Registry` reads them (name, help, type,
 * aggregator, `get()`), so the text exposition, `serve --workers` aggregation and the registry's
 * other metrics are prom-client's, unchanged.
 */
import type { Registry } from 'prom-client';

/** The sample shape prom-client's registry formats and aggregates. */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

export interface SeriesMetricOptions<Label extends string> {
  name: string;
  help: string;
  labelNames: readonly Label[];
  registers: Registry[];
}

const SEPARATOR = '\u0001';

abstract class SeriesMetric<Label extends string, Series extends { labels: Record<string, string> }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly Label[];
  protected readonly all = new Map<string, Series>();

  constructor(options: SeriesMetricOptions<Label>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected abstract create(labels: Record<string, string>): Series;

  /** The series of these label values, in `labelNames` order; made on first use. */
  series(values: readonly string[]): Series {
    const key = values.join(SEPARATOR);
    let series = this.all.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, index) => (labels[name] = values[index] ?? ''));
      series = this.create(labels);
      this.all.set(key, series);
    }
    return series;
  }

  /** The series of a label object (for occasional events; per-request paths keep their series). */
  protected seriesOf(labels: Partial<Record<Label, string>>): Series {
    return this.series(this.labelNames.map((name) => labels[name] ?? ''));
  }

  /** Zeroes every series (kept, because record-metrics.ts holds them). */
  reset(): void {
    for (const series of this.all.values()) this.zero(series);
  }

  protected abstract zero(series: Series): void;
}

export interface CounterSeries {
  readonly labels: Record<string, string>;
  value: number;
}

export class SeriesCounter<Label extends string> extends SeriesMetric<Label, CounterSeries> {
  readonly type = 'counter' as const;

  protected create(labels: Record<string, string>): CounterSeries {
    return { labels, value: 0 };
  }

  protected zero(series: CounterSeries): void {
    series.value = 0;
  }

  inc(labels: Partial<Record<Label, string>>, value = 1): void {
    this.seriesOf(labels).value += value;
  }

  async get(): Promise<MetricData> {
    const values: MetricValue[] = [];
    for (const series of this.all.values()) values.push({ value: series.value, labels: series.labels });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last is above every bound (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    this.counts[index]!++;
    this.sum += value;
    this.count++;
  }
}

export class SeriesHistogram<Label extends string> extends SeriesMetric<Label, HistogramSeries> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(options: SeriesMetricOptions<Label> & { buckets: readonly number[] }) {
    super(options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  protected zero(series: HistogramSeries): void {
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }

  observe(labels: Partial<Record<Label, string>>, value: number): void {
    this.seriesOf(labels).observe(value);
  }

  /** Cumulative `_bucket` samples with `le`, then `_sum` and `_count`, per series, as prom-client writes them. */
  async get(): Promise<MetricData> {
    const values: MetricValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const series of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        values.push({ value: cumulative, labels: { ...series.labels, le: bound }, metricName: bucketName });
      });
      values.push({ value: series.count, labels: { ...series.labels, le: '+Inf' }, metricName: bucketName });
      values.push({ value: series.sum, labels: series.labels, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels: series.labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
