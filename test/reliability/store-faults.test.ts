/**
 * A full disk during a write: SQLite's own limit (`max_page_count`) makes every write that needs a
 * new page fail with SQLITE_FULL, as a full disk does. The request that could not be stored fails
 * with a clear error (500 `store_failed`, or an `error` event on a stream), nothing is half
 * written, what was stored before reads as it was, the database checks out, requests that store
 * nothing go on, and once there is room again storing works as before.
 */
import { describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Any } from '../e2e/stream-helpers.js';
import { useHarness } from '../helpers/gateway-harness.js';

const harness = useHarness({ kind: 'text', text: 'Stored answer.' });

/** The gateway's own SQLite connection (the limit is per connection). */
// biome-ignore lint/complexity/useLiteralKeys: the connection is private; the test reaches it on purpose.
const database = () => (harness.gateway.store as SqliteStore)['db'];

describe('a full disk during a write', () => {
  it('fails the request clearly, keeps the store consistent, and stores again once there is room', async () => {
    const before = await harness.post('/v1/responses', { model: 'gpt-disk', input: 'Keep me.' });
    expect(before.status).toBe(200);
    const db = database();
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages}`);
    try {
      const big = 'x'.repeat(300_000);
      const refused = await harness.post('/v1/responses', { model: 'gpt-disk', input: big });
      expect(refused.status).toBe(500);
      expect(refused.body.error).toMatchObject({ type: 'server_error', code: 'store_failed' });
      expect(refused.body.error.message).toMatch(/could not be stored \(database or disk is full\)/);

      const streamed = await harness.stream({ model: 'gpt-disk', input: big });
      expect(streamed.types).toEqual(['error']);
      expect(streamed.data[0]).toMatchObject({ code: 'store_failed', sequence_number: 0 });

      // Nothing of those two is there; what was stored before is whole.
      const list = db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number };
      expect(list.n).toBe(1);
      const again = await harness.get(`/v1/responses/${before.body.id}`);
      expect(again.body).toEqual(before.body);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

      // Storing nothing needs no room.
      const unstored = await harness.post('/v1/responses', { model: 'gpt-disk', input: big, store: false });
      expect(unstored.status).toBe(200);
      expect((unstored.body as Any).output_text).toBe('Stored answer.');
    } finally {
      db.pragma('max_page_count = 4294967294');
    }
    const after = await harness.post('/v1/responses', { model: 'gpt-disk', input: 'x'.repeat(300_000) });
    expect(after.status).toBe(200);
    expect((await harness.get(`/v1/responses/${after.body.id}`)).status).toBe(200);
  });
});
