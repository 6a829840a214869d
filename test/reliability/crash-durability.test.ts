/**
 * A kill -9 in the middle of everything: 100 background responses (8 running, the rest queued),
 * foreground streams and file ingestion. After a restart on the same SQLite file every response
 * is completed or failed with an error (none stuck queued or in_progress), each event log is
 * gap-free and holds every event a client saw before the kill (`eventFlushMs: 0`), ingestion
 * finishes, and `PRAGMA integrity_check` is ok.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectWholeSequence, readStream } from '../e2e/event-stream.js';
import type { Any } from '../e2e/stream-helpers.js';
import { type ChildGateway, call, serveChild } from '../helpers/child-gateway.js';
import { TEST_KEY } from '../helpers/test-gateway.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { uploadFile } from '../vector-stores/retrieval-helpers.js';

const BACKGROUND = 100;
const FOREGROUND = 5;
const WORKERS = 8;
const MODEL = 'gpt-crash';

let dir: string;
let mock: MockChatUpstream;
const gateways: ChildGateway[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-crash-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ background: { workers: WORKERS, cancelPollMs: 50, eventFlushMs: 0 } }),
  );
  mock = await startMockChatUpstream();
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.kill();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

const serve = async () => {
  const gateway = await serveChild({
    RGW_DB: join(dir, 'gateway.db'),
    RGW_CONFIG: join(dir, 'config.json'),
    OPENAI_BASE_URL: mock.baseUrl,
    OPENAI_API_KEY: 'upstream-key',
  });
  gateways.push(gateway);
  return gateway;
};

/** A Markdown document large enough that indexing it is still going on at the kill. */
const bigDocument = (n: number) =>
  Array.from(
    { length: 4_000 },
    (_, i) => `## Section ${i} of file ${n}\n\nParagraph ${i} says the value ${n * 10_000 + i} matters.\n`,
  ).join('\n');

it('loses nothing a client saw and leaves nothing stuck after a kill -9 under load', async () => {
  const first = await serve();
  const chunks = Array.from({ length: 50 }, (_, i) => `w${i} `);
  mock.defaultReply = { kind: 'text', text: chunks.join(''), chunks, delayMs: 25 };

  const fileIds: string[] = [];
  for (let n = 0; n < 3; n++) {
    fileIds.push((await uploadFile({ baseURL: `${first.url}/v1` }, `doc-${n}.md`, bigDocument(n))).body.id);
  }
  const store = await call(first.url, '/v1/vector_stores', { name: 'crash', file_ids: fileIds });

  const ids: string[] = [];
  for (let i = 0; i < BACKGROUND; i++) {
    ids.push(
      (await call(first.url, '/v1/responses', { model: MODEL, input: `job ${i}`, background: true })).id,
    );
  }
  // Clients following some background responses and streaming some in the foreground: what each
  // saw before the kill is collected event by event.
  const seen = new Map<string, Any[]>();
  const watch = (id: string | undefined, event: Any) => {
    const key = id ?? event.response?.id;
    if (!key) return;
    if (!seen.has(key)) seen.set(key, []);
    seen.get(key)!.push(event);
  };
  const readers = ids.slice(0, 12).map((id) =>
    readStream(`${first.url}/v1/responses/${id}?stream=true`, {
      key: TEST_KEY,
      onEvent: (event) => watch(id, event),
    }).catch(() => undefined),
  );
  const foregroundIds: string[] = [];
  for (let i = 0; i < FOREGROUND; i++) {
    let id: string | undefined;
    readers.push(
      readStream(`${first.url}/v1/responses`, {
        method: 'POST',
        body: { model: MODEL, input: `foreground ${i}`, stream: true },
        key: TEST_KEY,
        onEvent: (event) => {
          if (event.type === 'response.created') {
            id = event.response.id;
            foregroundIds.push(id!);
          }
          watch(id, event);
        },
      }).catch(() => undefined),
    );
  }
  // Kill once every running response has streamed a few deltas.
  await expect
    .poll(() => [...seen.values()].filter((events) => events.length > 8).length, {
      timeout: 20_000,
      interval: 20,
    })
    .toBeGreaterThanOrEqual(8 + FOREGROUND);
  await first.kill();
  await Promise.all(readers);

  mock.defaultReply = { kind: 'text', text: 'Done after the restart.' };
  const second = await serve();
  const all = [...ids, ...foregroundIds];
  const settled = new Map<string, Any>();
  await expect
    .poll(
      async () => {
        for (const id of all) {
          if (settled.has(id)) continue;
          const response = await call(second.url, `/v1/responses/${id}`);
          if (!['queued', 'in_progress'].includes(response.status)) settled.set(id, response);
        }
        return settled.size;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBe(all.length);

  const statuses = [...settled.values()].map((response) => response.status);
  expect(new Set(statuses)).toEqual(new Set(['completed', 'failed']));
  for (const response of settled.values()) {
    if (response.status === 'failed') {
      expect(response.error.message).toMatch(/restarted while this response was in progress/);
    } else {
      // Finished before the kill, or run after the restart.
      expect([chunks.join(''), 'Done after the restart.']).toContain(response.output_text);
    }
  }
  // The ones running at the kill failed (8 workers and the foreground streams); the rest ran once.
  expect(statuses.filter((status) => status === 'failed').length).toBeGreaterThanOrEqual(
    WORKERS + FOREGROUND,
  );

  for (const [id, before] of seen) {
    const replay = await readStream(`${second.url}/v1/responses/${id}?stream=true`, { key: TEST_KEY });
    expect(replay.status).toBe(200);
    expectWholeSequence(replay.events);
    // Every event a client saw before the kill was in the log.
    const kept = replay.events.slice(0, before.length);
    expect(kept.map((event) => event.sequence_number)).toEqual(before.map((event) => event.sequence_number));
    expect(kept.map((event) => event.type)).toEqual(before.map((event) => event.type));
    expect(replay.events.at(-1).response.status).toBe(settled.get(id)!.status);
  }

  // Ingestion resumed after the restart and finished.
  await expect
    .poll(async () => (await call(second.url, `/v1/vector_stores/${store.id}`)).status, {
      timeout: 60_000,
      interval: 100,
    })
    .toBe('completed');
  const counts = (await call(second.url, `/v1/vector_stores/${store.id}`)).file_counts;
  expect(counts).toMatchObject({ completed: 3, in_progress: 0, failed: 0, total: 3 });

  expect(await second.stop()).toBe(0);
  const db = new Database(join(dir, 'gateway.db'), { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
}, 150_000);
