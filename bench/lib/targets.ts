/**
 * The things the benchmark drives, all in front of the same fake upstream: the direct call,
 * Switchboard (production build, request log on), nginx as a plain reverse proxy, and Portkey's
 * open-source gateway. Each start function returns where to send requests and which process
 * tree to account CPU and memory to.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { heapTuningFlags } from '../../src/cli/heap-tuning.js';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startService, waitForPort, type Service } from './processes.js';
import { cpuSeconds, procAvailable, processTree } from './proc-stats.js';
import { REALISTIC_PREFIX, type Workload } from './workloads.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `undici` is a bare Node pass-through proxy: the floor any Node gateway starts from.
 * `baseline` is another build of Switchboard (`--baseline-ref`), run beside this one so a
 * change's cost is read within one run, with the heap flags this build's `serve` applies (or
 * `--baseline-node-flags`). `switchboard-openai` is Switchboard with one `provider: openai` model (issue #20's second provider kind), for the realistic workload only;
 * `switchboard` serves the realistic workload from one `openai-compatible` model.
 *
 * `cache-miss` and `cache-hit` are Switchboard with the exact cache on (docs/cache.md): every
 * request of `cache-hit` after the first is answered from the cache; `cache-miss` sends
 * `Cache-Control: max-age=0`, so each request looks the entry up, finds it too old, goes
 * upstream and stores its answer again — a miss's whole work, plus parsing the old entry (an
 * upper bound on a miss's cost). Both run the routed workload only.
 *
 * The optional stages on, one at a time, each against `switchboard` in the same run (issue #20:
 * what a stage costs when on), also on the routed workload only:
 * - `guardrails-on`: the PII guardrail masking (`guardrails: { pii: { action: mask } }`): every
 *   prompt scanned by every detector; the bench's prompts hold no PII, so nothing is replaced.
 * - `telemetry-on`: OpenTelemetry traces, every request sampled, exported over OTLP/HTTP to the
 *   fake upstream (which answers `/v1/traces` with 200).
 * - `telemetry-sampled`: the same at `sample: 0.1`, a production setting: what tracing costs
 *   when nine requests in ten are left out.
 * - `learned` and `learned-shadow`: a `learned` route over the same two models, without and with
 *   `shadow: { sample: 0.1 }` (one request in ten also calls the other model, off the path).
 */
export const ALL_TARGETS = [
  'direct',
  'switchboard',
  'switchboard-openai',
  'baseline',
  'nginx',
  'portkey',
  'undici',
  'cache-miss',
  'cache-hit',
  'guardrails-on',
  'telemetry-on',
  'telemetry-sampled',
  'learned',
  'learned-shadow',
] as const;
export type TargetName = (typeof ALL_TARGETS)[number];
export const DEFAULT_TARGETS: TargetName[] = ['direct', 'switchboard', 'switchboard-openai', 'nginx', 'portkey', 'undici'];

/** Where and what one workload's requests go to on a target. */
export interface TargetRequest {
  url: string;
  headers: Record<string, string>;
  model: string;
}

export interface RunningTarget {
  name: TargetName;
  /** Full URL of the chat completions endpoint. */
  url: string;
  /** Extra request headers this target needs. */
  headers: Record<string, string>;
  /** The model name to put in request bodies. */
  model: string;
  /** The realistic workload (bench/lib/workloads.ts); `url`, `headers` and `model` are the routed one's. */
  realistic?: TargetRequest;
  /** Root pid of the proxy process tree, undefined for the direct call. */
  pid?: number;
  /** Switchboard's request-log SQLite file. */
  databasePath?: string;
  stop(): Promise<void>;
}

export interface TargetOptions {
  fakePort: number;
  workDirectory: string;
  /** Install nginx with apt-get when missing (root only). */
  install: boolean;
  /** `serve --workers N` for Switchboard; 1 runs the single-process server. */
  switchboardWorkers?: number;
  /** Extra node flags for Switchboard, such as `--cpu-prof`. */
  switchboardNodeFlags?: string[];
  /** Node flags for the `baseline` target instead of `switchboardNodeFlags`: two heap settings of one build in one run. */
  baselineNodeFlags?: string[];
  /** The checkout of another build for the `baseline` target (bench/lib/baseline-build.ts). */
  baselineDirectory?: string;
  /** A command Node targets run under, such as valgrind (bench/instructions.ts). */
  wrapper?: string[];
  /** Extra environment for Node targets, such as a NODE_OPTIONS preload (bench/allocations.ts). */
  environment?: Record<string, string>;
  log?: (line: string) => void;
}

export type StartResult = { target: RunningTarget } | { skipped: string };

export async function startTarget(name: TargetName, options: TargetOptions): Promise<StartResult> {
  switch (name) {
    case 'direct':
      return { target: { name, url: `http://127.0.0.1:${options.fakePort}/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, model: 'gpt-4o-mini', realistic: proxied(`http://127.0.0.1:${options.fakePort}`), stop: async () => {} } };
    case 'switchboard':
      return startSwitchboard(options, 'switchboard', REPO_ROOT);
    case 'switchboard-openai':
      return startSwitchboard(options, 'switchboard-openai', REPO_ROOT);
    case 'cache-miss':
      return startSwitchboard(options, 'cache-miss', REPO_ROOT, { cache: true, headers: { 'cache-control': 'max-age=0' } });
    case 'cache-hit':
      return startSwitchboard(options, 'cache-hit', REPO_ROOT, { cache: true, headers: {} });
    case 'guardrails-on':
      return startSwitchboard(options, 'guardrails-on', REPO_ROOT, { config: ['guardrails: { pii: { action: mask } }'] });
    case 'telemetry-on':
      return startSwitchboard(options, 'telemetry-on', REPO_ROOT, { config: [telemetryConfig(options.fakePort, 1)] });
    case 'telemetry-sampled':
      return startSwitchboard(options, 'telemetry-sampled', REPO_ROOT, { config: [telemetryConfig(options.fakePort, 0.1)] });
    case 'learned':
      return startSwitchboard(options, 'learned', REPO_ROOT, { routes: learnedRoute(false), model: 'bench-learned' });
    case 'learned-shadow':
      return startSwitchboard(options, 'learned-shadow', REPO_ROOT, { routes: learnedRoute(true), model: 'bench-learned' });
    case 'baseline':
      if (!options.baselineDirectory) return { skipped: 'no baseline build: pass --baseline-ref REF' };
      return startSwitchboard(options, 'baseline', options.baselineDirectory);
    case 'nginx':
      return startNginx(options);
    case 'portkey':
      return startPortkey(options);
    case 'undici':
      return startUndiciProxy(options);
  }
}

/** The realistic workload through a plain proxy at `origin`: the upstream path, unchanged. */
function proxied(origin: string): TargetRequest {
  return { url: `${origin}${REALISTIC_PREFIX}/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, model: 'gpt-4o-mini' };
}

/** A target's request for `workload`, or undefined when the target does not run it. */
export function requestFor(target: RunningTarget, workload: Workload): TargetRequest | undefined {
  if (workload === 'realistic') return target.realistic;
  return target.name === 'switchboard-openai' ? undefined : { url: target.url, headers: target.headers, model: target.model };
}

function startNode(options: TargetOptions, args: string[], spawnOptions: NonNullable<Parameters<typeof startService>[2]>): Service {
  const [command = process.execPath, ...prefix] = options.wrapper ?? [];
  const env = options.environment ? { ...spawnOptions.env, ...options.environment } : spawnOptions.env;
  return startService(command, options.wrapper ? [...prefix, process.execPath, ...args] : args, { ...spawnOptions, env });
}

/** Every target that is a Switchboard process. */
type SwitchboardTarget = Exclude<TargetName, 'direct' | 'nginx' | 'portkey' | 'undici'>;

/** What a variant target adds to `switchboard`'s config, and how its requests differ. */
interface SwitchboardVariant {
  cache?: boolean;
  headers?: Record<string, string>;
  /** Top-level config lines. */
  config?: string[];
  /** Route entries added after `bench-route`. */
  routes?: string[];
  /** The model its requests ask for, instead of `bench-route`. */
  model?: string;
}

/** Traces exported to the fake upstream, which accepts `/v1/traces`. */
function telemetryConfig(fakePort: number, sample: number): string {
  return `telemetry: { otlp_endpoint: "http://127.0.0.1:${fakePort}", sample: ${sample} }`;
}

function learnedRoute(shadow: boolean): string[] {
  return [
    '  - name: bench-learned',
    '    strategy: learned',
    '    weak: bench-model',
    '    strong: bench-strong',
    '    threshold: 0.5',
    ...(shadow ? ['    shadow: { sample: 0.1, budget_usd_per_day: 1000 }'] : []),
  ];
}

/**
 * The routed workload's config: a `rules` route over two models, so routing and the savings
 * baseline are on the path. The realistic workload's (issue #20): one model, no route.
 */
function switchboardModels(name: SwitchboardTarget, fakePort: number): string[] {
  const realistic = (modelName: string, provider: 'openai' | 'openai-compatible') => [
    `  - name: ${modelName}`,
    `    provider: ${provider}`,
    '    model: gpt-4o-mini',
    `    base_url: http://127.0.0.1:${fakePort}${REALISTIC_PREFIX}/v1`,
    '    api_key: sk-bench',
  ];
  if (name === 'switchboard-openai') return ['models:', ...realistic('gpt-4o-mini', 'openai')];
  return [
    'models:',
    ...realistic('gpt-4o-mini', 'openai-compatible'),
    '  - name: bench-model',
    '    provider: openai-compatible',
    '    model: gpt-4o-mini',
    `    base_url: http://127.0.0.1:${fakePort}/v1`,
    '    api_key: sk-bench',
    '    price: { input: 0.15, output: 0.60, cached_input: 0.075 }',
    '  - name: bench-strong',
    '    provider: openai-compatible',
    '    model: gpt-4o',
    `    base_url: http://127.0.0.1:${fakePort}/v1`,
    '    api_key: sk-bench',
    '    price: { input: 2.50, output: 10.00, cached_input: 1.25 }',
    'routes:',
    '  - name: bench-route',
    '    strategy: rules',
    '    rules:',
    '      - when: { headers: { x-switchboard-tier: premium } }',
    '        model: bench-strong',
    '    default: bench-model',
    '    strong: bench-strong',
  ];
}

async function startSwitchboard(options: TargetOptions, name: SwitchboardTarget, checkout: string, variant?: SwitchboardVariant): Promise<StartResult> {
  const main = join(checkout, 'dist/cli/main.js');
  if (!existsSync(main)) return { skipped: `${main} is missing: run \`npm run build\` first` };
  const port = await freePort();
  const directory = join(options.workDirectory, name);
  mkdirSync(directory, { recursive: true });
  const configPath = join(directory, 'switchboard.yaml');
  // Defaults everywhere except where the files go: the request log is on, as in production.
  writeFileSync(
    configPath,
    [
      `server: { host: 127.0.0.1, port: ${port} }`,
      `storage: { url: "sqlite://${join(directory, 'switchboard.db')}" }`,
      ...switchboardModels(name, options.fakePort),
      ...(variant?.routes ?? []),
      ...(variant?.cache ? ['cache: { enabled: true }'] : []),
      ...(variant?.config ?? []),
      '',
    ].join('\n'),
  );
  const nodeFlags = [...((name === 'baseline' ? options.baselineNodeFlags : undefined) ?? options.switchboardNodeFlags ?? [])];
  // An older build's serve may not set the heap flags this one's does (heap tuning came with
  // issue 20, and changed since): the baseline gets them from here, so the two differ only in
  // their code, or only in the flags given.
  const heapFlags = name === 'baseline' ? heapTuningFlags(['node', main, 'serve'], nodeFlags, process.env) : undefined;
  if (heapFlags) nodeFlags.push(...heapFlags);
  const args = [...nodeFlags, main, 'serve', '--config', configPath];
  if (options.switchboardWorkers && options.switchboardWorkers > 1) args.push('--workers', String(options.switchboardWorkers));
  const service = startNode(options, args, { cwd: directory, env: { ...process.env, NODE_ENV: 'production' } });
  await ready(service, port, name, options.wrapper ? 600_000 : 30_000);
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const headers = { authorization: 'Bearer sk-bench', ...variant?.headers };
  return {
    target: { name, url, headers, model: variant?.model ?? 'bench-route', realistic: variant ? undefined : { url, headers, model: 'gpt-4o-mini' }, pid: service.child.pid, databasePath: join(directory, 'switchboard.db'), stop: () => stopService(service) },
  };
}

function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function installNginx(log: (line: string) => void): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  log('nginx is missing: installing nginx-light with apt-get…');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 180_000 });
  if (update.status !== 0) return undefined;
  for (const name of ['nginx-light', 'nginx']) {
    const install = spawnSync('apt-get', ['install', '-y', '-qq', name], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (install.status === 0 && findNginx()) return findNginx();
  }
  return undefined;
}

async function startNginx(options: TargetOptions): Promise<StartResult> {
  const log = options.log ?? (() => {});
  const binary = findNginx() ?? (options.install ? installNginx(log) : undefined);
  if (!binary) return { skipped: 'nginx is not installed and could not be installed here (needs root and apt-get); install nginx to include it' };
  const port = await freePort();
  const directory = join(options.workDirectory, 'nginx');
  mkdirSync(join(directory, 'logs'), { recursive: true });
  // One worker, like the single Switchboard process it is compared with; no access log, no
  // buffering of streams: a plain keep-alive reverse proxy.
  const config = `
worker_processes 1;
daemon off;
pid ${directory}/nginx.pid;
error_log ${directory}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${directory}/client_body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  keepalive_requests 1000000;
  upstream fake { server 127.0.0.1:${options.fakePort}; keepalive 512; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
  writeFileSync(join(directory, 'nginx.conf'), config);
  const service = startService(binary, ['-p', directory, '-c', join(directory, 'nginx.conf'), '-e', join(directory, 'logs/error.log')]);
  try {
    await ready(service, port, 'nginx');
  } catch (error) {
    return { skipped: `nginx did not start: ${(error as Error).message}` };
  }
  return { target: { name: 'nginx', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, model: 'gpt-4o-mini', realistic: proxied(`http://127.0.0.1:${port}`), pid: service.child.pid, stop: () => stopService(service) } };
}

async function startPortkey(options: TargetOptions): Promise<StartResult> {
  let entry: string;
  try {
    // Installed apart from the root packages (bench/package.json), so a user's `npm ci` stays lean.
    const require = createRequire(join(REPO_ROOT, 'bench/package.json'));
    entry = join(dirname(require.resolve('@portkey-ai/gateway/package.json')), 'build/start-server.js');
  } catch {
    return { skipped: '@portkey-ai/gateway is not installed (`npm run bench:install` installs it into bench/node_modules; `npm run bench` does so itself)' };
  }
  const port = await freePort();
  const service = startService(process.execPath, [entry, `--port=${port}`, '--headless'], { cwd: options.workDirectory, env: { ...process.env, NODE_ENV: 'production' } });
  await ready(service, port, 'portkey');
  return {
    target: {
      name: 'portkey',
      url: `http://127.0.0.1:${port}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${options.fakePort}/v1` },
      model: 'gpt-4o-mini',
      realistic: {
        url: `http://127.0.0.1:${port}/v1/chat/completions`,
        headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${options.fakePort}${REALISTIC_PREFIX}/v1` },
        model: 'gpt-4o-mini',
      },
      pid: service.child.pid,
      stop: () => stopService(service),
    },
  };
}

async function startUndiciProxy(options: TargetOptions): Promise<StartResult> {
  const port = await freePort();
  const service = startNode(options, ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/undici-proxy.ts'), '--port', String(port), '--upstream', `http://127.0.0.1:${options.fakePort}`], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' } });
  await ready(service, port, 'undici proxy', options.wrapper ? 600_000 : 30_000);
  return { target: { name: 'undici', url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, model: 'gpt-4o-mini', realistic: proxied(`http://127.0.0.1:${port}`), pid: service.child.pid, stop: () => stopService(service) } };
}

async function ready(service: Service, port: number, name: string, timeoutMs = 30_000): Promise<void> {
  try {
    await waitForPort(port, timeoutMs, service.child);
  } catch (error) {
    await service.stop();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${service.output()}`);
  }
  if (service.child.pid) await waitForQuiet(service.child.pid);
}

/**
 * Waits until a freshly started process stops using CPU (module compilation, background
 * loading), so start-up work is not billed to the first measured run.
 */
async function waitForQuiet(pid: number, timeoutMs = 20_000): Promise<void> {
  if (!procAvailable) return;
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  let previous = cpuSeconds(processTree(pid));
  while (Date.now() < deadline && quietPolls < 2) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(processTree(pid));
    quietPolls = now - previous <= 0.02 ? quietPolls + 1 : 0;
    previous = now;
  }
}

async function stopService(service: Service): Promise<void> {
  await service.stop();
}

/** Starts the fake upstream in its own process so its CPU is not the benchmark driver's. */
export async function startFakeUpstreamProcess(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const service = startService(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/fake-upstream.ts'), '--port', String(port)], { cwd: REPO_ROOT });
  await ready(service, port, 'fake upstream');
  return { port, pid: service.child.pid!, stop: async () => void (await service.stop()) };
}

/** The installed version of a binary, for the report header (nginx prints it on stderr). */
export function versionOf(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}
