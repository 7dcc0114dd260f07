/**
 * Issue 12, finding 14: `/api/spend` validates `from` and `to` the same way on SQLite and
 * PostgreSQL. PostgreSQL answered 500 to `from=1.5`, `from=-1e300` and `to=1e23`, where SQLite
 * answered 200; both now answer 400 naming the parameter, and the same 200 to valid times.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../../testing/shared-services.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

const services = await sharedServicesFor('spend validation on PostgreSQL');

const directory = mkdtempSync(join(tmpdir(), 'switchboard-spend-'));
const schema = `switchboard_spend_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (services.available) await dropPostgresSchema(schema);
});

const backends = [
  { name: 'SQLite', url: `sqlite://${join(directory, 'spend.db')}`, available: true },
  { name: 'PostgreSQL', url: `${TEST_POSTGRES_URL}?schema=${schema}`, available: services.available },
];

const INVALID: Array<[string, string]> = [
  ['from', '1.5'],
  ['from', '-1e300'],
  ['to', '1e23'],
  ['from', '-1'],
  ['to', 'Infinity'],
  ['from', 'not-a-date'],
  ['to', '99999-01-01'],
];
const VALID: Array<[string, string]> = [
  ['from', '0'],
  ['from', '1700000000000'],
  ['from', '2026-11-01'],
  ['to', '2026-11-01T12:00:00Z'],
  ['to', '253402300799999'],
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`/api/spend times on ${backend.name}`, () => {
    let upstream: FakeUpstream;
    let gateway: TestGateway;
    beforeAll(async () => {
      upstream = await FakeUpstream.start(healthy);
      gateway = await startTestGateway({ storage: { url: backend.url }, models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }] });
      await gateway.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    });
    afterAll(async () => {
      await gateway?.close();
      await upstream?.close();
    });

    for (const [name, value] of INVALID) {
      it(`answers 400 naming ${name} for ${name}=${value}`, async () => {
        const response = await fetch(`${gateway.url}/api/spend?${name}=${encodeURIComponent(value)}`);
        expect(response.status).toBe(400);
        const { error } = (await response.json()) as { error: { param: string; code: string } };
        expect(error).toMatchObject({ param: name, code: 'invalid_value' });
      });
    }

    for (const [name, value] of VALID) {
      it(`answers 200 for ${name}=${value}`, async () => {
        const response = await fetch(`${gateway.url}/api/spend?${name}=${encodeURIComponent(value)}`);
        expect(response.status).toBe(200);
      });
    }
  });
}
