/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * log in, the overview's spend equals /api/spend, create a key and see it listed, filter the
 * request log and open a request; and, on a gateway running the learning loop, vote on a review
 * and read an experiment's arms. Screenshots go to screenshots/ (git-ignored).
 *
 * Without Chromium the test is skipped with the reason printed, except under CI=true, where it
 * fails: .ci/run installs Chromium, so CI never passes by skipping it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { openAICompletion } from '../../testing/openai-replies.js';
import { ADMIN_KEY, adminRequest } from '../../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

// Functions passed to page.waitForFunction run in the page; this file is typed for Node.
declare const document: any;

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHROMIUM = process.env.SWITCHBOARD_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'screenshots');
/** The flags known to work on this kind of machine: no sandbox as root, no network of its own. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const available = existsSync(CHROMIUM);

let uiBuilt = false;
/** The page is what `npm run build` ships: build it once from the sources under test. */
function buildUi(): void {
  if (uiBuilt) return;
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build-ui.mjs')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  mkdirSync(SCREENSHOTS, { recursive: true });
  uiBuilt = true;
}

function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(profile, 'chromium-profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } });
}

/** The page is no wider than the screen: no sideways scrolling on a phone. */
async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}
if (!available) {
  if (process.env.CI === 'true') throw new Error(`Chromium is not at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
  console.warn(`dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

describe.skipIf(!available)('the /ui dashboard in headless Chromium', () => {
  let upstream: FakeUpstream;
  let test: TestGateway;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    buildUi();
    upstream = await FakeUpstream.start(healthy);
    profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
    test = await startTestGateway(
      {
        admin_key: ADMIN_KEY,
        storage: { url: `sqlite://${join(profile, 'log.db')}`, flush_interval_ms: 20, log_bodies: true },
        models: [
          { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price: { input: 0.15, output: 0.6 } },
          { name: 'gpt-4o', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price: { input: 2.5, output: 10 } },
        ],
        routes: [{ name: 'auto', strategy: 'random', weak: 'gpt-4o-mini', strong: 'gpt-4o', strong_share: 0.3 }],
        governance: { teams: { platform: { budget_usd: 10 } } },
      },
      { apiKey: ADMIN_KEY },
    );
    for (let index = 0; index < 24; index++) {
      await test.client.chat.completions.create({ model: index % 3 === 0 ? 'gpt-4o' : 'auto', messages: [{ role: 'user', content: `question number ${index}` }] });
    }
    await fetch(`${test.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }) });
    browser = await launchChromium(profile);
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await upstream?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('refuses a wrong admin key, then logs in with the right one', async () => {
    await page.goto(`${test.url}/ui`);
    await page.fill('input[name="admin-key"]', 'not-the-admin-key-at-all');
    await page.click('form.login button[type="submit"]');
    await page.waitForSelector('form.login .bad');
    expect(await page.textContent('form.login .bad')).toContain('not the admin key');
    await page.fill('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.login button[type="submit"]');
    await page.waitForSelector('[data-stat="spend"]');
  });

  it("shows the overview's spend equal to /api/spend", async () => {
    await page.selectOption('select[name="range"]', 'all');
    await page.waitForFunction(() => document.querySelector('select[name="range"]') && document.querySelector('select[name="range"]').value === 'all' && document.querySelectorAll('.chart canvas').length >= 3);
    const spend = (await adminRequest<{ totals: { cost_usd: number; requests: number } }>(test.url, 'GET', '/api/spend')).body.totals;
    expect(spend.cost_usd).toBeGreaterThan(0);
    expect(Number(await page.getAttribute('[data-stat="spend"]', 'data-value'))).toBeCloseTo(spend.cost_usd, 12);
    expect(Number(await page.getAttribute('[data-stat="requests"]', 'data-value'))).toBe(spend.requests);
    expect(Number(await page.getAttribute('[data-stat="saved-routing"]', 'data-value'))).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  it('creates a key and sees it listed', async () => {
    await page.goto(`${test.url}/ui#/keys`);
    await page.waitForSelector('form[aria-label="Create a key"]');
    await page.fill('input[name="name"]', 'browser-made-key');
    await page.fill('input[name="budget_usd"]', '25');
    await page.click('form[aria-label="Create a key"] button[type="submit"]');
    await page.waitForSelector('code.secret');
    expect(await page.textContent('code.secret')).toMatch(/^sk-sb-/);
    const row = page.locator('tr[data-key]', { hasText: 'browser-made-key' });
    await row.waitFor();
    expect(await row.textContent()).toContain('$25.00');
    const keys = (await adminRequest<{ data: Array<{ name: string; budget_usd?: number }> }>(test.url, 'GET', '/api/keys')).body.data;
    expect(keys.find((key) => key.name === 'browser-made-key')?.budget_usd).toBe(25);
    await page.screenshot({ path: join(SCREENSHOTS, 'keys.png'), fullPage: true });
  });

  it("creates a team, shows its spend against its budget, edits the budget, and keeps a config team read-only", async () => {
    await page.goto(`${test.url}/ui#/keys`);
    await page.waitForSelector('form[aria-label="Create a team"]');
    await page.fill('input[name="team-name"]', 'browser-team');
    await page.fill('input[name="team-budget"]', '0.5');
    await page.selectOption('select[name="team-period"]', 'day');
    await page.click('form[aria-label="Create a team"] button[type="submit"]');
    const row = page.locator('tr[data-team="browser-team"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('$0.00 of $0.5000/day');
    expect(await page.locator('tr[data-team="platform"]').textContent()).toContain('from config');

    // Spend through a key of the team, then see it on the team's bar, as /api/teams reports it.
    const { body: key } = await adminRequest<{ key: string }>(test.url, 'POST', '/api/keys', { name: 'browser-team-app', team: 'browser-team' });
    const teamClient = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: key.key, maxRetries: 0 });
    for (let index = 0; index < 3; index++) await teamClient.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'team spend' }] });
    await test.gateway.logWriter.flush();
    const team = (await adminRequest<{ usage: { cost_usd: number } }>(test.url, 'GET', '/api/teams/info?name=browser-team')).body;
    expect(team.usage.cost_usd).toBeGreaterThan(0);
    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).toContain(`$${team.usage.cost_usd.toFixed(4)} of $0.5000/day`);

    page.once('dialog', (dialog) => void dialog.accept('2'));
    await row.locator('button', { hasText: 'Edit budget' }).click();
    await page.waitForFunction(() => document.querySelector('tr[data-team="browser-team"]')?.textContent?.includes('of $2.00/day'));
    expect((await adminRequest<{ budget_usd: number }>(test.url, 'GET', '/api/teams/info?name=browser-team')).body.budget_usd).toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'keys-teams.png'), fullPage: true });
  });

  it('filters the request log and opens a request with its attempts and bodies', async () => {
    await page.goto(`${test.url}/ui#/requests`);
    await page.waitForSelector('table.requests tbody tr');
    const all = await page.locator('table.requests tbody tr').count();
    await page.fill('input[name="route"]', 'auto');
    await page.click('form[aria-label="Filter requests"] button[type="submit"]');
    await page.waitForFunction((count) => document.querySelectorAll('table.requests tbody tr').length !== count, all);
    const expected = (await adminRequest<{ data: unknown[] }>(test.url, 'GET', '/api/requests/search?route=auto')).body.data.length;
    expect(expected).toBe(16);
    expect(await page.locator('table.requests tbody tr').count()).toBe(expected);
    for (const text of await page.locator('table.requests tbody tr td:nth-child(3)').allTextContents()) expect(text).toMatch(/^auto \((weak|strong)\)$/);

    await page.fill('input[name="route"]', '');
    await page.fill('input[name="status"]', 'error');
    await page.click('form[aria-label="Filter requests"] button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('table.requests tbody tr').length === 1);
    const errorRow = await page.getAttribute('table.requests tbody tr', 'data-id');
    await page.fill('input[name="status"]', '');
    await page.fill('input[name="q"]', 'question number 21');
    await page.click('form[aria-label="Filter requests"] button[type="submit"]');
    await page.waitForFunction((previous) => {
      const rows = document.querySelectorAll('table.requests tbody tr');
      return rows.length === 1 && rows[0]!.getAttribute('data-id') !== previous;
    }, errorRow);
    await page.click('table.requests tbody tr');
    await page.waitForSelector('section.detail');
    const detail = await page.textContent('section.detail');
    expect(detail).toContain('question number 21');
    expect(detail).toMatch(/gpt-4o(-mini)?#0/);
    await page.screenshot({ path: join(SCREENSHOTS, 'requests.png'), fullPage: true });
  });

  it('shows routing and stays usable at phone width', async () => {
    await page.goto(`${test.url}/ui#/routing`);
    await page.waitForSelector('[data-stat="strong-share"]');
    await page.waitForSelector('[data-chart="What-if"] .empty');
    expect(Number(await page.getAttribute('[data-stat="weak"]', 'data-value')) + Number(await page.getAttribute('[data-stat="strong"]', 'data-value'))).toBe(16);
    await page.screenshot({ path: join(SCREENSHOTS, 'routing.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${test.url}/ui#/overview`);
    await page.waitForSelector('[data-stat="spend"]');
    await fitsWidth(page, 390);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-phone.png'), fullPage: true });
  });
});

describe.skipIf(!available)('the Reviews and Experiments pages in headless Chromium, on a gateway running the learning loop', () => {
  const WEAK_ANSWER = 'WEAK: Paris is the capital.';
  const STRONG_ANSWER = 'STRONG: The capital of France is Paris, on the Seine.';
  let upstream: FakeUpstream;
  let test: TestGateway;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  /** Requests the `auto` route served, directly or as the experiment's control arm: each is shadowed, judged and queued. */
  let reviewed = 0;

  beforeAll(async () => {
    buildUi();
    upstream = await FakeUpstream.start((request) => {
      // The judge prefers the strong answer; the weak and strong models answer differently.
      if (request.body.model === 'judge') {
        const text: string = request.body.messages.at(-1).content;
        return openAICompletion({ content: JSON.stringify({ winner: text.indexOf('STRONG') < text.indexOf('WEAK') ? '1' : '2' }), model: 'judge' });
      }
      return openAICompletion({ content: request.body.model === 'large' ? STRONG_ANSWER : WEAK_ANSWER, model: request.body.model });
    });
    profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-learning-'));
    const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price });
    test = await startTestGateway(
      {
        admin_key: ADMIN_KEY,
        storage: { url: `sqlite://${join(profile, 'log.db')}`, flush_interval_ms: 20 },
        models: [model('small', { input: 0.15, output: 0.6 }), model('large', { input: 2.5, output: 10 }), model('judge', { input: 1, output: 1 })],
        routes: [
          // threshold 1: always the weak model, the strong one as the shadow call; every comparison judged and queued for review.
          { name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', threshold: 1, shadow: { sample: 1, budget_usd_per_day: 1 }, review: { sample: 1 } },
          { name: 'auto-strong', strategy: 'learned', weak: 'small', strong: 'large', threshold: 0 },
          { name: 'support', strategy: 'experiment', arms: [{ name: 'control', route: 'auto', weight: 0.5 }, { name: 'candidate', route: 'auto-strong', weight: 0.5 }], sticky: 'user' },
        ],
        judge: { model: 'judge' },
      },
      { apiKey: ADMIN_KEY },
    );
    await test.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    reviewed = 1;
    for (let index = 0; index < 12; index++) {
      const { response } = await test.client.chat.completions.create({ model: 'support', user: `user-${index}`, messages: [{ role: 'user', content: `Support question ${index}` }] }).withResponse();
      if (response.headers.get('x-switchboard-arm') === 'control') reviewed++;
    }
    browser = await launchChromium(profile);
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${test.url}/ui`);
    await page.fill('input[name="admin-key"]', ADMIN_KEY);
    await page.click('form.login button[type="submit"]');
    await page.waitForSelector('[data-stat="spend"]');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await upstream?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function pendingReviews(count: number): Promise<any[]> {
    const until = Date.now() + 15_000;
    for (;;) {
      const { body } = await adminRequest<{ data: any[] }>(test.url, 'GET', '/api/reviews?status=pending');
      if (body.data.length >= count || Date.now() > until) return body.data;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('votes on a review: the prompt and both answers with their differences marked, the verdict stored, the item gone from the queue', async () => {
    const queue = await pendingReviews(reviewed);
    expect(queue).toHaveLength(reviewed);
    await page.goto(`${test.url}/ui#/reviews`);
    await page.waitForSelector('article.review');
    expect(await page.locator('article.review').count()).toBe(queue.length);
    expect(Number(await page.getAttribute('[data-stat="queue"]', 'data-value'))).toBe(queue.length);

    const first = queue[0];
    const card = page.locator(`article.review[data-review="${first.id}"]`);
    expect(await card.locator('pre.prompt').textContent()).toBe(first.prompt);
    expect(await card.locator('[data-side="weak"] pre').textContent()).toBe(WEAK_ANSWER);
    expect(await card.locator('[data-side="strong"] pre').textContent()).toBe(STRONG_ANSWER);
    // The words outside the longest common run ("the capital") are marked, each side's own.
    expect(await card.locator('[data-side="weak"] mark').allTextContents()).toEqual(['WEAK: Paris is']);
    expect(await card.locator('[data-side="strong"] mark').allTextContents()).toEqual(['STRONG:', 'of France is Paris, on the Seine.']);
    await page.screenshot({ path: join(SCREENSHOTS, 'reviews.png'), fullPage: true });

    await card.locator('input[name="note"]').fill('the strong answer names the river');
    await card.locator('button[data-verdict="strong_better"]').click();
    await card.waitFor({ state: 'detached' });
    expect(await page.locator('article.review').count()).toBe(queue.length - 1);

    const reviewedItems = (await adminRequest<{ data: any[] }>(test.url, 'GET', '/api/reviews?status=reviewed')).body.data;
    expect(reviewedItems.find((item) => item.id === first.id)).toMatchObject({ label: 1, label_source: 'human', review: { status: 'reviewed', verdict: 'strong_better', note: 'the strong answer names the river' } });
    const stillPending = (await adminRequest<{ data: any[] }>(test.url, 'GET', '/api/reviews?status=pending')).body.data;
    expect(stillPending.map((item) => item.id)).not.toContain(first.id);
    expect(stillPending).toHaveLength(queue.length - 1);

    // The reviewed list shows the verdict, and a reload of the queue no longer has the item.
    await page.selectOption('select[name="status"]', 'reviewed');
    await page.click('form[aria-label="Filter reviews"] button[type="submit"]');
    await page.waitForSelector(`article.review[data-review="${first.id}"] .verdict`);
    expect(await page.textContent(`article.review[data-review="${first.id}"] .verdict`)).toBe('Verdict: strong_better — the strong answer names the river');
  });

  it("shows the experiment's arms with the API's counts and intervals, and both pages fit a phone", async () => {
    const experiment = (await adminRequest<any>(test.url, 'GET', '/api/experiments/support')).body;
    expect(experiment.arms.map((arm: any) => arm.name)).toEqual(['control', 'candidate']);
    expect(experiment.arms.reduce((sum: number, arm: any) => sum + arm.requests, 0)).toBe(12);
    await page.goto(`${test.url}/ui#/experiments`);
    await page.waitForSelector('table.arms tbody tr[data-arm]');
    expect(await page.inputValue('select[name="experiment"]')).toBe('support');
    for (const arm of experiment.arms) {
      const row = page.locator(`tr[data-arm="${arm.name}"]`);
      expect(Number(await row.locator('td[data-requests]').getAttribute('data-requests'))).toBe(arm.requests);
      expect(Number(await row.locator('td').nth(5).getAttribute('data-value'))).toBe(arm.cost_per_request.value);
      expect(await row.locator('td').nth(5).textContent()).toContain(`$${arm.cost_per_request.value.toPrecision(3)}`);
    }
    expect(await page.getAttribute('[data-stat="significant"]', 'data-value')).toBe(String(experiment.significant));
    expect(await page.locator('table.differences tbody tr').count()).toBe(experiment.comparisons.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'experiments.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('table.arms tbody tr[data-arm]');
    await fitsWidth(page, 390);
    await page.screenshot({ path: join(SCREENSHOTS, 'experiments-phone.png'), fullPage: true });
    await page.goto(`${test.url}/ui#/reviews`);
    await page.waitForSelector('article.review');
    await fitsWidth(page, 390);
    await page.screenshot({ path: join(SCREENSHOTS, 'reviews-phone.png'), fullPage: true });
  });
});
