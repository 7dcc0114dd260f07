/**
 * Turns benchmark measurements into the Markdown table, the target check and the SVG chart.
 * Pure functions of the results, so the smoke test can check them without timing anything.
 */
import type { TargetName } from './targets.js';
import type { Workload } from './workloads.js';

export type Mode = 'json' | 'stream';

export interface Scenario {
  id: string;
  mode: Mode;
  connections: number;
  /** Fixed total request rate; closed loop when absent. */
  rate?: number;
  /** What is sent and answered (bench/lib/workloads.ts). */
  workload: Workload;
}

export interface Measurement {
  scenario: string;
  target: TargetName;
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Proxy CPU time per completed request; undefined for the direct call. */
  cpuMicrosPerRequest?: number;
  rssMegabytes?: number;
}

export interface FirstToken {
  target: TargetName;
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

export interface BenchResults {
  startedAt: string;
  command: string;
  wallSeconds: number;
  machine: string;
  generator: string;
  notes: string[];
  scenarios: Scenario[];
  targets: TargetName[];
  measurements: Measurement[];
  firstToken: FirstToken[];
}

const LABELS: Record<TargetName, string> = {
  direct: 'direct',
  switchboard: 'Switchboard',
  'switchboard-openai': 'Switchboard, provider: openai',
  baseline: 'Switchboard, baseline build',
  nginx: 'nginx',
  portkey: 'Portkey 1.15.2',
  undici: 'bare undici proxy',
  'cache-miss': 'Switchboard, cache on, every request a miss',
  'cache-hit': 'Switchboard, cache on, every request a hit',
  'guardrails-on': 'Switchboard, PII guardrail masking',
  'telemetry-on': 'Switchboard, OpenTelemetry traces exported',
  'telemetry-sampled': 'Switchboard, OpenTelemetry traces, one in ten sampled',
  learned: 'Switchboard, learned route',
  'learned-shadow': 'Switchboard, learned route with shadow at 10%',
};

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

function signed(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

export function find(results: BenchResults, scenario: string, target: TargetName): Measurement | undefined {
  return results.measurements.find((measurement) => measurement.scenario === scenario && measurement.target === target);
}

export function markdownTable(results: BenchResults): string {
  const lines = [
    '| scenario | target | req/s | p50 ms | p99 ms | p50 over direct | p99 over direct | CPU µs/req | RSS MB | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const scenario of results.scenarios) {
    const direct = find(results, scenario.id, 'direct');
    for (const target of results.targets) {
      const row = find(results, scenario.id, target);
      if (!row) continue;
      const overP50 = target === 'direct' || !direct ? undefined : row.p50Ms - direct.p50Ms;
      const overP99 = target === 'direct' || !direct ? undefined : row.p99Ms - direct.p99Ms;
      lines.push(
        `| ${scenario.id} | ${LABELS[target]} | ${Math.round(row.requestsPerSecond)} | ${fixed(row.p50Ms, 2)} | ${fixed(row.p99Ms, 2)} | ${signed(overP50, 2)} | ${signed(overP99, 2)} | ${fixed(row.cpuMicrosPerRequest, 0)} | ${fixed(row.rssMegabytes, 0)} | ${row.errors} |`,
      );
    }
  }
  return lines.join('\n');
}

export function firstTokenTable(results: BenchResults): string {
  if (results.firstToken.length === 0) return '';
  const direct = results.firstToken.find((row) => row.target === 'direct');
  const lines = ['| target | TTFT p50 ms | TTFT p99 ms | p50 over direct | samples |', '|---|--:|--:|--:|--:|'];
  for (const row of results.firstToken) {
    const over = row.target === 'direct' || !direct ? undefined : row.p50Ms - direct.p50Ms;
    lines.push(`| ${LABELS[row.target]} | ${fixed(row.p50Ms, 3)} | ${fixed(row.p99Ms, 3)} | ${signed(over, 3)} | ${row.samples} |`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/** The issue's targets, checked against this run (undefined where a figure is missing). */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const sb = (scenario: string) => find(results, scenario, 'switchboard');
  const cpu = (scenario: string, limit: number, name: string) => {
    const value = sb(scenario)?.cpuMicrosPerRequest;
    checks.push({ name, goal: `≤ ${limit} µs`, measured: value === undefined ? 'not measured' : `${value.toFixed(0)} µs`, met: value === undefined ? undefined : value <= limit });
  };
  cpu('json c=32', 120, 'CPU per request, non-streaming (c=32)');
  cpu('stream c=32', 170, 'CPU per request, streaming 20 chunks (c=32)');
  const direct1 = find(results, 'json c=1', 'direct');
  const gateway1 = sb('json c=1');
  const added = (key: 'p50Ms' | 'p99Ms', limit: number, name: string) => {
    const value = direct1 && gateway1 ? gateway1[key] - direct1[key] : undefined;
    checks.push({ name, goal: `≤ ${limit} ms`, measured: value === undefined ? 'not measured' : `${value.toFixed(3)} ms`, met: value === undefined ? undefined : value <= limit });
  };
  added('p50Ms', 0.25, 'Added latency p50 at 1 connection');
  added('p99Ms', 1, 'Added latency p99 at 1 connection');
  const directFirst = results.firstToken.find((row) => row.target === 'direct');
  const gatewayFirst = results.firstToken.find((row) => row.target === 'switchboard');
  const ttft = directFirst && gatewayFirst ? gatewayFirst.p50Ms - directFirst.p50Ms : undefined;
  checks.push({ name: 'Time to first token over direct, p50', goal: '≤ 0.3 ms', measured: ttft === undefined ? 'not measured' : `${ttft.toFixed(3)} ms`, met: ttft === undefined ? undefined : ttft <= 0.3 });
  const ratio = (other: TargetName, limit: number, name: string, asPercent: boolean) => {
    const mine = sb('json c=32')?.requestsPerSecond;
    const theirs = find(results, 'json c=32', other)?.requestsPerSecond;
    const value = mine !== undefined && theirs ? mine / theirs : undefined;
    const shown = value === undefined ? `not measured (${other} skipped)` : asPercent ? `${(value * 100).toFixed(0)}%` : `${value.toFixed(1)}×`;
    checks.push({ name, goal: asPercent ? `≥ ${limit * 100}%` : `≥ ${limit}×`, measured: shown, met: value === undefined ? undefined : value >= limit });
  };
  ratio('portkey', 10, "Throughput at 32 connections vs Portkey's", false);
  ratio('nginx', 0.4, "Throughput at 32 connections vs nginx's", true);
  checks.push(...checkRealistic(results));
  return checks;
}

/** Issue #20's targets on the realistic workload, each provider kind read against the bare undici proxy in the same run. */
function checkRealistic(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const against = (scenario: string, target: TargetName, other: TargetName, key: 'cpuMicrosPerRequest' | 'requestsPerSecond') => {
    const mine = find(results, scenario, target)?.[key];
    const theirs = find(results, scenario, other)?.[key];
    return mine !== undefined && theirs ? mine / theirs : undefined;
  };
  const shown = (value: number | undefined, format: (value: number) => string) => (value === undefined ? 'not measured' : format(value));
  for (const target of ['switchboard', 'switchboard-openai'] as const) {
    if (!results.targets.includes(target)) continue;
    const label = LABELS[target];
    for (const [mode, limit] of [['json', 1.25], ['stream', 1.5]] as const) {
      const value = against(`realistic ${mode} c=32`, target, 'undici', 'cpuMicrosPerRequest');
      checks.push({ name: `Realistic ${mode}, c=32: CPU per request vs the bare undici proxy (${label})`, goal: `≤ ${limit}×`, measured: shown(value, (ratio) => `${ratio.toFixed(2)}×`), met: value === undefined ? undefined : value <= limit });
    }
    const portkey = against('realistic json c=32', target, 'portkey', 'requestsPerSecond');
    checks.push({ name: `Realistic JSON, c=32: throughput vs Portkey's (${label})`, goal: '≥ 10×', measured: shown(portkey, (ratio) => `${ratio.toFixed(1)}×`), met: portkey === undefined ? undefined : portkey >= 10 });
    const proxy = against('realistic json c=32', target, 'undici', 'requestsPerSecond');
    checks.push({ name: `Realistic JSON, c=32: throughput vs the bare undici proxy's (${label})`, goal: '≥ 80%', measured: shown(proxy, (ratio) => `${(ratio * 100).toFixed(0)}%`), met: proxy === undefined ? undefined : proxy >= 0.8 });
  }
  return checks;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const lines = ['| target | goal | measured | met |', '|---|---|---|---|'];
  for (const check of checks) lines.push(`| ${check.name} | ${check.goal} | ${check.measured} | ${check.met === undefined ? '—' : check.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

export function markdownReport(results: BenchResults): string {
  return [
    '# Switchboard benchmark: latest run',
    '',
    `Run ${results.startedAt} on ${results.machine}; load generator: ${results.generator}; wall time ${Math.round(results.wallSeconds)} s.`,
    '',
    `Command: \`${results.command}\``,
    '',
    'Every target sits in front of the same fake upstream (a bare `net` server with prebuilt answers). "over direct" is the latency a target adds to the direct call in the same scenario; CPU µs/req is the proxy process tree\'s utime + stime from /proc across the run, divided by completed requests; RSS is taken after the scenario. Targets alternate A B C D A B C D within each scenario.',
    '',
    markdownTable(results),
    '',
    '## Time to first token (streaming, 1 connection, Node client)',
    '',
    firstTokenTable(results) || 'Not measured in this run.',
    '',
    '## Targets (issues #6 and #20)',
    '',
    targetsTable(checkTargets(results)),
    '',
    ...(results.notes.length ? ['## Notes', '', ...results.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const COLORS: Record<TargetName, string> = { direct: '#9aa5b1', switchboard: '#2563eb', 'switchboard-openai': '#1e40af', baseline: '#93c5fd', nginx: '#16a34a', portkey: '#dc2626', undici: '#a855f7', 'cache-miss': '#f59e0b', 'cache-hit': '#0891b2', 'guardrails-on': '#65a30d', 'telemetry-on': '#db2777', 'telemetry-sampled': '#f472b6', learned: '#7c3aed', 'learned-shadow': '#c026d3' };

interface Bar {
  target: TargetName;
  group: string;
  value: number;
  label: string;
}

/** One horizontal bar panel; `log` draws bars on a log10 scale so 30 µs and 1,300 µs both show. */
function panel(title: string, bars: readonly Bar[], top: number, log: boolean): { svg: string; height: number } {
  const left = 330;
  const width = 400;
  const rowHeight = 22;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const scale = (value: number) => (log ? (Math.log10(Math.max(1, value)) / Math.log10(Math.max(10, max))) * width : (value / max) * width);
  const parts = [`<text x="20" y="${top + 16}" font-size="15" font-weight="bold">${escapeXml(title)}</text>`];
  bars.forEach((bar, index) => {
    const y = top + 30 + index * rowHeight;
    const barWidth = Math.max(1, scale(bar.value));
    parts.push(
      `<text x="${left - 8}" y="${y + 14}" font-size="12" text-anchor="end">${escapeXml(`${bar.group} · ${LABELS[bar.target]}`)}</text>`,
      `<rect x="${left}" y="${y + 2}" width="${barWidth.toFixed(1)}" height="${rowHeight - 6}" fill="${COLORS[bar.target]}" rx="2"/>`,
      `<text x="${left + barWidth + 6}" y="${y + 14}" font-size="12">${escapeXml(bar.label)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: 40 + bars.length * rowHeight };
}

export function svgChart(results: BenchResults): string {
  const throughput: Bar[] = [];
  const cpu: Bar[] = [];
  for (const prefix of ['', 'realistic '] as const) {
    for (const mode of ['json', 'stream'] as const) {
      const scenario = `${prefix}${mode} c=32`;
      const group = `${prefix}${mode === 'json' ? 'JSON' : 'stream'}`;
      for (const target of results.targets) {
        const row = find(results, scenario, target);
        if (!row) continue;
        throughput.push({ target, group, value: row.requestsPerSecond, label: `${Math.round(row.requestsPerSecond).toLocaleString('en-US')} req/s` });
        if (row.cpuMicrosPerRequest !== undefined) cpu.push({ target, group, value: row.cpuMicrosPerRequest, label: `${Math.round(row.cpuMicrosPerRequest)} µs` });
      }
    }
  }
  const first = panel('Requests per second at 32 connections (higher is better)', throughput, 50, false);
  const second = panel('Proxy CPU per request at 32 connections, µs (log scale, lower is better)', cpu, 50 + first.height + 20, true);
  const height = 50 + first.height + 20 + second.height + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${height}" viewBox="0 0 800 ${height}" font-family="system-ui, -apple-system, sans-serif">
<rect width="800" height="${height}" fill="#ffffff"/>
<text x="20" y="28" font-size="18" font-weight="bold">${escapeXml(`Switchboard benchmark · ${results.startedAt.slice(0, 10)} · ${results.machine}`)}</text>
${first.svg}
${second.svg}
<text x="20" y="${height - 10}" font-size="11" fill="#555">${escapeXml(`${results.command} · load generator ${results.generator}`)}</text>
</svg>
`;
}
