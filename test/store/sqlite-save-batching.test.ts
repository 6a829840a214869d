/** Saves in one turn of the event loop share a commit, each in its own savepoint; WAL checkpoints run off the loop. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import type { ResponseObject } from '../../src/protocol/response.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoredItem } from '../../src/store/types.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-batch-'));
  store = new SqliteStore(join(dir, 'gateway.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function record(id = newId('resp'), text = 'hello'): { response: ResponseObject; inputItems: StoredItem[] } {
  const output = [
    {
      id: newId('msg'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  ];
  return {
    response: {
      id,
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      output,
      previous_response_id: null,
      conversation: null,
    } as unknown as ResponseObject,
    inputItems: [
      { id: newId('msg'), type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    ],
  };
}

describe('SqliteResponses.save batching', () => {
  it('commits saves made together, and one failing leaves the others saved', async () => {
    const taken = record();
    await store.responses.save('other-tenant', taken);
    const good = [record(), record(), record()];
    const results = await Promise.allSettled([
      store.responses.save('t', good[0]!),
      store.responses.save('t', record(taken.response.id)),
      store.responses.save('t', good[1]!),
      store.responses.save('t', good[2]!, 'conv_missing'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toContain('already taken');
    expect((results[3] as PromiseRejectedResult).reason.message).toContain('conv_missing');
    expect(await store.responses.get('t', good[0]!.response.id)).toMatchObject({ status: 'completed' });
    expect(await store.responses.get('t', good[1]!.response.id)).toBeDefined();
    // The failed ones left nothing behind, and the other tenant's row is untouched.
    expect(await store.responses.get('t', good[2]!.response.id)).toBeUndefined();
    expect(await store.responses.get('t', taken.response.id)).toBeUndefined();
    expect((await store.responses.get('other-tenant', taken.response.id))?.output).toEqual(
      taken.response.output,
    );
  });

  it('saves again over a stored response, replacing its state and items', async () => {
    const first = record(undefined, 'first');
    await store.responses.save('t', first);
    const again = record(first.response.id, 'second');
    await store.responses.save('t', again);
    const stored = await store.responses.get('t', first.response.id);
    expect(stored?.output).toEqual(again.response.output);
    const inputs = await store.responses.listInputItems('t', first.response.id, { limit: 10, order: 'asc' });
    expect(inputs?.data).toEqual(again.inputItems);
  });

  it('checkpoints the WAL in the background and removes it on close', async () => {
    const db = (store as unknown as { db: { pragma(sql: string, o?: object): unknown } }).db;
    // SQLite checkpoints by itself until the first batched write starts the worker; from then on
    // the main connection only checkpoints past 10,000 pages, far more than these saves write.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const before = statSync(join(dir, 'gateway.db')).size;
    await store.responses.save('t', record());
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    for (let i = 0; i < 200; i++) await store.responses.save('t', record());
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The worker copied the committed pages into the database file meanwhile.
    expect(statSync(join(dir, 'gateway.db')).size).toBeGreaterThan(before);
    await store.close();
    expect(() => statSync(join(dir, 'gateway.db-wal'))).toThrow();
    store = new SqliteStore(join(dir, 'gateway.db'));
    expect(await store.responses.get('t', 'resp_missing')).toBeUndefined();
  });
});

describe('event log migration', () => {
  it('keeps the events logged before the event log became a rowid table', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (let version = 0; version < 3; version++) old.exec(SQLITE_MIGRATIONS[version]!);
    old.pragma('user_version = 3');
    const insert = old.prepare('INSERT INTO response_events (response_id, seq, data) VALUES (?, ?, ?)');
    for (let seq = 0; seq < 3; seq++) insert.run('resp_old', seq, `{"seq":${seq}}`);
    old.close();
    const upgraded = new SqliteStore(path);
    try {
      expect(await upgraded.events.after('resp_old', 0)).toEqual([
        { seq: 1, data: '{"seq":1}' },
        { seq: 2, data: '{"seq":2}' },
      ]);
      await upgraded.events.append('resp_old', [
        { seq: 2, data: 'duplicate, ignored' },
        { seq: 3, data: '{"seq":3}' },
      ]);
      expect(await upgraded.events.lastSeq('resp_old')).toBe(3);
      expect((await upgraded.events.after('resp_old', 1)).map((e) => e.data)).toEqual([
        '{"seq":2}',
        '{"seq":3}',
      ]);
    } finally {
      await upgraded.close();
    }
  });
});

describe('event log append', () => {
  it('writes batches of any size in order, ignoring events already logged', async () => {
    const events = Array.from({ length: 70 }, (_, seq) => ({ seq, data: `{"n":${seq}}` }));
    await Promise.all([
      store.events.append('resp_a', events.slice(0, 40)),
      store.events.append('resp_b', events.slice(0, 3)),
    ]);
    await store.events.append('resp_a', events.slice(35));
    expect(await store.events.after('resp_a', -1)).toEqual(events);
    expect(await store.events.lastSeq('resp_b')).toBe(2);
  });
});
