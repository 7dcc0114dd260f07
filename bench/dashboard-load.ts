/**
 * How fast the /ui dashboard loads on a 10,000-request log (`npm run bench:dashboard`).
 *
 * Fills a SQLite request log with 10,000 requests spread over the last 30 days (routed and
 * direct, errors and rate limits among them, 20 keys in 4 teams, bodies kept), starts the built
 * gateway on it (`switchboard serve`, its own process), then:
 *   - times each admin API call the dashboard makes, 20 times after 3 warm-ups (median, p95);
 *   - times each page in headless Chromium (Debian's, driven by playwright-core), from
 *     navigation until its content is drawn, 7 times (median, max).
 * Writes bench/results/dashboard-load.md and prints it. `--requests N` changes the log size.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SqliteRequestLogStore } from '../src/storage/sqlite/sqlite-request-log-store.js';
import { emptyRecord, type RequestRecord } from '../src/storage/request-record.js';

// Functions passed to page.evaluate run in the page; this file is typed for Node.
declare const document: any;
declare const sessionStorage: any;

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.SWITCHBOARD_TEST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN_KEY = 'sb-admin-dashboard-bench-key';
const DAY_MS = 86_400_000;
const requestsArgument = process.argv.indexOf('--requests');
const REQUESTS = requestsArgument > 0 ? Number(process.argv[requestsArgument + 1]) : 10_000;

/** A seeded generator, so every run fills the same log. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const PROMPTS = ['What is the capital of France?', 'Summarise this support ticket in two lines', 'Write a SQL query for monthly revenue', 'Translate to German: good morning', 'Explain the difference between TCP and UDP', 'Draft a polite reminder email'];

function fillLog(path: string, keys: string[], teams: string[], now: number): void {
  const store = new SqliteRequestLogStore(path);
  const next = random(42);
  const records: RequestRecord[] = [];
  for (let index = 0; index < REQUESTS; index++) {
    const timestamp = Math.floor(now - next() * 30 * DAY_MS);
    const record = emptyRecord(`req_${index.toString(16).padStart(8, '0')}${randomBytes(4).toString('hex')}`, '/v1/chat/completions', timestamp);
    const routed = next() < 0.7;
    const strong = routed ? next() < 0.3 : next() < 0.5;
    const model = strong ? 'gpt-4o' : 'gpt-4o-mini';
    const roll = next();
    const status = roll < 0.95 ? 200 : roll < 0.98 ? 429 : 502;
    const prompt = PROMPTS[Math.floor(next() * PROMPTS.length)]!;
    const keyIndex = Math.floor(next() * keys.length);
    const promptTokens = 20 + Math.floor(next() * 2000);
    const completionTokens = status === 200 ? 20 + Math.floor(next() * 600) : 0;
    const [input, output] = strong ? [2.5, 10] : [0.15, 0.6];
    Object.assign(record, {
      surface: 'chat',
      requested_model: routed ? 'auto' : model,
      served_model: status === 429 ? null : model,
      provider: status === 429 ? null : 'openai',
      deployment: status === 429 ? null : `${model}#0`,
      route: routed ? 'auto' : null,
      route_strategy: routed ? 'random' : null,
      route_decision: routed ? (strong ? 'strong' : 'weak') : null,
      router_score: routed ? next() : null,
      status,
      error_code: status === 429 ? 'rate_limit_exceeded' : status === 502 ? 'upstream_error' : null,
      error_message: status === 429 ? 'Rate limit reached for this key' : status === 502 ? 'The upstream answered 500' : null,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      cost_usd: status === 200 ? (promptTokens * input + completionTokens * output) / 1e6 : 0,
      baseline_cost_usd: status === 200 ? (promptTokens * 2.5 + completionTokens * 10) / 1e6 : 0,
      latency_ms: 150 + next() * 3000,
      ttft_ms: 80 + next() * 600,
      streamed: next() < 0.4,
      attempts: status === 429 ? [] : [{ deployment: `${model}#0`, model, provider: 'openai', status: status === 200 ? 200 : 500, error_code: status === 200 ? null : 'upstream_error', latency_ms: 140 + next() * 2900 }],
      key_id: keys[keyIndex]!,
      team: teams[keyIndex % teams.length]!,
      end_user: `user-${Math.floor(next() * 100)}`,
      request_body: JSON.stringify({ model: routed ? 'auto' : model, messages: [{ role: 'user', content: `${prompt} (#${index})` }] }),
      response_body: status === 200 ? JSON.stringify({ choices: [{ message: { role: 'assistant', content: `An answer to: ${prompt}. `.repeat(8) } }] }) : null,
    });
    records.push(record);
  }
  records.sort((first, second) => first.timestamp - second.timestamp);
  for (let start = 0; start < records.length; start += 500) void store.insertMany(records.slice(start, start + 500));
  void store.close();
}

function serve(configPath: string, cwd: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--config', configPath, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_ADMIN_KEY: ADMIN_KEY } });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) resolve({ url: match[1]!, stop: () => (child.kill('SIGTERM'), exited) });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => reject(new Error(`the gateway exited before listening:\n${output}`)));
  });
}

async function admin(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

function quantile(values: number[], share: number): number {
  const sorted = [...values].sort((first, second) => first - second);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

const format = (milliseconds: number) => (milliseconds < 10 ? milliseconds.toFixed(1) : Math.round(milliseconds).toString());

async function main(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js')) || !existsSync(join(REPO_ROOT, 'dist/ui/index.html'))) throw new Error('run `npm run build` first (npm run bench:dashboard does)');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set SWITCHBOARD_TEST_CHROMIUM)`);
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-dashboard-bench-'));
  const databasePath = join(directory, 'switchboard.db');
  const configPath = join(directory, 'switchboard.yaml');
  writeFileSync(
    configPath,
    [
      `storage: { url: "sqlite://${databasePath}", log_bodies: true }`,
      'logging: { level: warn }',
      'models:',
      '  - { name: gpt-4o-mini, provider: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-unused }',
      '  - { name: gpt-4o, provider: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-unused }',
      'routes:',
      '  - { name: auto, strategy: random, weak: gpt-4o-mini, strong: gpt-4o, strong_share: 0.3 }',
      '',
    ].join('\n'),
  );
  let gateway = await serve(configPath, directory);
  const teams = ['search', 'support', 'research', 'growth'];
  const keys: string[] = [];
  for (const team of teams) await admin(gateway.url, 'POST', '/api/teams', { name: team, budget_usd: 500 });
  for (let index = 0; index < 20; index++) keys.push((await admin(gateway.url, 'POST', '/api/keys', { name: `app-${index}`, team: teams[index % teams.length], budget_usd: 100 })).id);
  await gateway.stop();
  const filling = performance.now();
  fillLog(databasePath, keys, teams, Date.now());
  const fillMs = performance.now() - filling;
  gateway = await serve(configPath, directory);
  const someId = (await admin(gateway.url, 'GET', '/api/requests/search?limit=1')).data[0].id as string;
  const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
  const now = Date.now();

  // The calls each page makes, as ui/src/pages/*.ts makes them.
  const calls: Array<[string, string]> = [
    ['Overview, 24 h', `/api/spend?from=${now - DAY_MS}&to=${now}`],
    ['Overview, 24 h', `/api/timeseries?from=${now - DAY_MS}&to=${now}&buckets=48`],
    ['Overview, all time', `/api/spend?to=${now}`],
    ['Overview, all time', `/api/timeseries?from=0&to=${now}&buckets=48`],
    ['Routing', '/api/routes'],
    ['Requests', '/api/requests/search?limit=100'],
    ['Requests, text filter', '/api/requests/search?q=revenue&limit=100'],
    ['Requests, model filter', '/api/requests/search?model=gpt-4o&limit=100'],
    ['Requests, key filter', `/api/requests/search?key=${keys[3]}&limit=100`],
    ['Requests, status filter', '/api/requests/search?status=error&limit=100'],
    ['Request detail', `/api/requests/${someId}`],
    ['Keys', '/api/keys'],
    ['Keys', `/api/spend?group_by=key&from=${monthStart}`],
    ['Keys', '/api/teams'],
  ];
  const apiRows: string[] = [];
  for (const [page, path] of calls) {
    const times: number[] = [];
    for (let round = 0; round < 23; round++) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const bytes = (await response.arrayBuffer()).byteLength;
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      if (round >= 3) times.push(performance.now() - started);
      if (round === 22) apiRows.push(`| ${page} | \`${path.replace(/=\d{13}/g, '=…').replace(/key=key_[\w-]+/, 'key=key_…').replace(/req_\w+/, '{id}')}\` | ${format(quantile(times, 0.5))} | ${format(quantile(times, 0.95))} | ${(bytes / 1024).toFixed(1)} |`);
    }
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${gateway.url}/ui`);
  await page.evaluate((key) => sessionStorage.setItem('switchboard.adminKey', key), ADMIN_KEY);
  // Ready when the page has drawn its content, not when the HTML arrived.
  const pages: Array<[string, string, string]> = [
    ['Overview (24 h)', 'overview', 'document.querySelectorAll(".chart canvas").length >= 3 && document.querySelector("[data-stat=spend]")'],
    ['Routing', 'routing', 'document.querySelector("[data-stat=strong-share]") && document.querySelectorAll(".chart").length >= 2'],
    ['Requests', 'requests', 'document.querySelectorAll("table.requests tbody tr").length >= 50'],
    ['Keys & budgets', 'keys', 'document.querySelectorAll("tr[data-key]").length === 20 && document.querySelectorAll("tr[data-team]").length === 4'],
  ];
  const pageRows: string[] = [];
  for (const [title, id, ready] of pages) {
    const times: number[] = [];
    for (let round = 0; round < 8; round++) {
      await page.goto('about:blank');
      const started = performance.now();
      await page.goto(`${gateway.url}/ui#/${id}`);
      await page.waitForFunction(ready, undefined, { timeout: 30_000, polling: 'raf' });
      if (round > 0) times.push(performance.now() - started);
    }
    pageRows.push(`| ${title} | ${format(quantile(times, 0.5))} | ${format(Math.max(...times))} |`);
  }
  // Switching the overview to all time: the heaviest view, all 10,000 rows charted.
  const switches: number[] = [];
  for (let round = 0; round < 6; round++) {
    await page.goto('about:blank');
    await page.goto(`${gateway.url}/ui#/overview`);
    await page.waitForFunction(pages[0]![2], undefined, { polling: 'raf' });
    const before = await page.getAttribute('[data-stat="requests"]', 'data-value');
    const started = performance.now();
    await page.selectOption('select[name="range"]', 'all');
    await page.waitForFunction((previous) => {
      const requests = document.querySelector('[data-stat="requests"]');
      return requests && requests.getAttribute('data-value') !== previous && document.querySelectorAll('.chart canvas').length >= 3;
    }, before, { polling: 'raf' });
    if (round > 0) switches.push(performance.now() - started);
  }
  pageRows.push(`| Overview, switched to all time (${REQUESTS.toLocaleString('en-US')} rows charted) | ${format(quantile(switches, 0.5))} | ${format(Math.max(...switches))} |`);
  await browser.close();
  await gateway.stop();
  rmSync(directory, { recursive: true, force: true });

  const report = [
    '# Dashboard load on a 10,000-request log',
    '',
    `Run ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores (load average ${loadavg()[0]!.toFixed(2)} at the end), \`npm run bench:dashboard\`.`,
    `The SQLite log holds ${REQUESTS.toLocaleString('en-US')} requests over 30 days with bodies kept (filled in ${Math.round(fillMs)} ms); 20 keys in 4 teams.`,
    '',
    '## Admin API calls the pages make (ms, over loopback, 20 calls each after 3 warm-ups)',
    '',
    '| page | call | median | p95 | KiB |',
    '|---|---|--:|--:|--:|',
    ...apiRows,
    '',
    '## Pages in headless Chromium (ms from navigation until the content is drawn, 7 loads each after one warm-up)',
    '',
    '| page | median | slowest |',
    '|---|--:|--:|',
    ...pageRows,
    '',
  ].join('\n');
  writeFileSync(join(REPO_ROOT, 'bench/results/dashboard-load.md'), report);
  console.log(report);
}

await main();
