/**
 * Starts a real gateway on a loopback port for a test, with a SQLite file in a temp folder and
 * the official `openai` client pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { validateConfig } from '../config/load-config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../server/gateway.js';

export interface TestGateway {
  gateway: Gateway;
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  client: OpenAI;
  databasePath: string;
  close(): Promise<void>;
}

export async function startTestGateway(rawConfig: Record<string, unknown>, options: { apiKey?: string; directory?: string; gatewayOptions?: Partial<GatewayOptions> } = {}): Promise<TestGateway> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const databasePath = join(directory, 'switchboard.db');
  // No idle grace on close: a test's own keep-alive sockets would hold every close for a second.
  const server = { drain_idle_grace_ms: 0, ...(rawConfig.server as Record<string, unknown> | undefined) };
  const config = validateConfig({ storage: { url: `sqlite://${databasePath}`, flush_interval_ms: 20 }, ...rawConfig, server }, 'test');
  const gateway = await createGateway({ ...options.gatewayOptions, config, logger: pino({ level: process.env.SWITCHBOARD_TEST_LOG ?? 'silent' }), configDirectory: directory });
  const address = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: options.apiKey ?? 'sk-test-client', maxRetries: 0 });
  return {
    gateway,
    url,
    client,
    databasePath,
    async close() {
      await gateway.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
