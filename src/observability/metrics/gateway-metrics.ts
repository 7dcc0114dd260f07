/**
 * The metrics service a gateway holds (`gateway.metrics`): one prom-client registry, fed from
 * the finished request record by the log step, from scrape-time collectors for state, and
 * through the small typed API below for events that are not on a record.
 *
 * Events not on a record — call these from the stage that sees them:
 *
 *   gateway.metrics.shadowCompared({ route: 'auto', agreed: false });
 *   gateway.metrics.judgeVerdict({ route: 'auto', verdict: 'strong' });
 *
 * Both take a route name (bounded like every model label: unknown names become `other`).
 */
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import type { RequestRecord } from '../../storage/request-record.js';
import { clusterMetricsText } from './cluster-metrics.js';
import { modelLabel, type KnownNames } from './bounded-labels.js';
import { createInstruments, type Instruments, type StateCollectors } from './instruments.js';
import { newLabelBounds, recordMetrics, RequestSeriesCache, type LabelBounds } from './record-metrics.js';
import { stateCollectors, type StateSources } from './state-collectors.js';

export interface ShadowComparison {
  /** The route (or model) whose served answer was compared. */
  route: string;
  /** Whether the shadow model's answer agreed with the served one. */
  agreed: boolean;
}

export type JudgeVerdictValue = 'weak' | 'strong' | 'tie' | 'error';

export interface JudgeVerdict {
  route: string;
  /** Which answer the judge preferred: the weak model's (good enough), the strong one's, a tie, or no verdict. */
  verdict: JudgeVerdictValue;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly instruments: Instruments;
  private readonly state: StateCollectors;
  private readonly bounds: LabelBounds = newLabelBounds();
  private readonly requestSeries: RequestSeriesCache;
  private sources: (() => StateSources) | undefined;

  constructor(
    /** The config's model and route names now serving, read per event (reloads change them). */
    private readonly known: () => KnownNames,
    options: { processMetrics?: boolean } = {},
  ) {
    this.state = stateCollectors(() => this.sources?.());
    this.instruments = createInstruments(this.registry, this.state);
    this.requestSeries = new RequestSeriesCache(this.instruments);
    // Process CPU, memory, event-loop lag and GC: read at scrape time, nothing per request.
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where scrape-time gauges read deployment health and budgets (set once the gateway is built). */
  setStateSources(sources: () => StateSources): void {
    this.sources = sources;
  }

  /** Every metric a finished model request moves; the log step calls this once per request. */
  observeRecord(record: RequestRecord): void {
    recordMetrics(this.instruments, this.bounds, this.requestSeries, record, this.known());
  }

  /** A shadow test compared the served answer with another model's. */
  shadowCompared(event: ShadowComparison): void {
    this.instruments.shadowComparisons.inc({ route: modelLabel(event.route, this.known()), outcome: event.agreed ? 'agree' : 'disagree' });
  }

  /** A judge compared a weak and a strong answer. */
  judgeVerdict(event: JudgeVerdict): void {
    this.instruments.judgeVerdicts.inc({ route: modelLabel(event.route, this.known()), verdict: event.verdict });
  }

  private clustered: (() => Promise<string>) | undefined;

  /** The metrics in the Prometheus text format: this process's, or under `--workers` every worker's summed. */
  text(): Promise<string> {
    this.state.startScrape();
    return this.clustered ? this.clustered() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * In a `serve --workers` worker: the registry the primary's aggregator reads (prom-client's
   * cluster protocol answers the primary with this registry's values).
   */
  joinCluster(): void {
    // Constructing one is what makes prom-client answer the primary's requests in a worker.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([this.registry]);
    this.clustered = clusterMetricsText;
  }
}
