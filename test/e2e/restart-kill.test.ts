/**
 * Background responses survive a hard kill: the gateway runs as a child process (`serve`), is
 * killed with SIGKILL while responses run and wait, and a new process on the same SQLite file
 * settles every one of them — the interrupted ones failed with a restart error and what they had
 * produced, the queued ones run to completion — each with a gap-free, replayable event log. A
 * stored response streamed in the foreground is settled the same way: never left in_progress.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChildGateway, call, serveChild } from '../helpers/child-gateway.js';
import { TEST_KEY } from '../helpers/gateway-harness.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { expectWholeSequence, readStream } from './event-stream.js';
import type { Any } from './stream-helpers.js';

const WORKERS = 2;
const JOBS = 6;
const MODEL = 'gpt-kill';

let dir: string;
let mock: MockChatUpstream;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-kill-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ background: { workers: WORKERS, cancelPollMs: 50 } }),
  );
  mock = await startMockChatUpstream();
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `rgw serve` in a child process on the shared store; resolves once /healthz answers. */
async function serve(dbFile = join(dir, 'gateway.db')): Promise<ChildGateway> {
  const gateway = await serveChild({
    RGW_DB: dbFile,
    RGW_CONFIG: join(dir, 'config.json'),
    OPENAI_BASE_URL: mock.baseUrl,
    OPENAI_API_KEY: 'upstream-key',
  });
  children.push(gateway.child);
  return gateway;
}

it('settles every background response after a kill -9: interrupted ones failed, queued ones completed', async () => {
  const first = await serve();
  // Slow enough that the first two are still running, and the rest waiting, when the kill comes.
  const chunks = Array.from({ length: 40 }, (_, i) => `t${i} `);
  mock.defaultReply = { kind: 'text', text: chunks.join(''), chunks, delayMs: 40 };
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    ids.push(
      (await call(first.url, '/v1/responses', { model: MODEL, input: `job ${i}`, background: true })).id,
    );
  }
  // Wait until both workers have text deltas in the event log (written in batches), then kill.
  const db = new Database(join(dir, 'gateway.db'), { readonly: true, fileMustExist: true });
  const deltasLogged = db.prepare(
    `SELECT COUNT(DISTINCT response_id) AS n FROM response_events WHERE data LIKE '{"type":"response.output_text.delta"%'`,
  );
  await expect
    .poll(() => (deltasLogged.get() as { n: number }).n, { timeout: 10_000, interval: 10 })
    .toBe(WORKERS);
  db.close();
  const running = mock.requests.map((request) => request.body.messages.at(-1).content);
  expect(running).toEqual(['job 0', 'job 1']);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  await Promise.all([mock.waitForAbort(1), mock.waitForAbort(2)]);

  mock.defaultReply = {
    kind: 'text',
    text: 'Done after the restart.',
    chunks: ['Done ', 'after ', 'the ', 'restart.'],
    delayMs: 30,
  };
  const second = await serve();
  // Clients follow every response from the start while the new process works through the queue.
  const followers = ids.map((id) =>
    readStream(`${second.url}/v1/responses/${id}?stream=true`, { key: TEST_KEY }),
  );
  const settled: Any[] = [];
  for (const id of ids) {
    let response: Any;
    await expect
      .poll(
        async () => {
          response = await call(second.url, `/v1/responses/${id}`);
          return response.status;
        },
        { timeout: 10_000, interval: 20 },
      )
      .toMatch(/^(completed|failed|incomplete|cancelled)$/);
    settled.push(response);
  }
  expect(settled.map((r) => r.status)).toEqual([
    'failed',
    'failed',
    'completed',
    'completed',
    'completed',
    'completed',
  ]);

  for (const [i, response] of settled.entries()) {
    const replay = await readStream(`${second.url}/v1/responses/${response.id}?stream=true`, {
      key: TEST_KEY,
    });
    expect(replay.status).toBe(200);
    expectWholeSequence(replay.events);
    expect(replay.events.slice(0, 2).map((e) => e.type)).toEqual(['response.created', 'response.queued']);
    // A client that followed it while it ran saw the same events.
    expect((await followers[i]!).texts).toEqual(replay.texts);
    const terminal = replay.events.at(-1);
    expect(terminal.response).toEqual(response);
    const text = replay.events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    if (i < WORKERS) {
      expect(terminal.type).toBe('response.failed');
      expect(response.error.code).toBe('server_error');
      expect(response.error.message).toMatch(/restarted while this response was in progress/);
      // What it had produced before the kill is kept, marked incomplete.
      expect(text.startsWith('t0 ')).toBe(true);
      expect(response.output_text).toBe(text);
      expect(response.output.at(-1)).toMatchObject({ type: 'message', status: 'incomplete' });
    } else {
      expect(terminal.type).toBe('response.completed');
      expect(text).toBe('Done after the restart.');
      expect(response.output_text).toBe(text);
    }
  }
  // The killed process's calls were the only ones cut short; the queued ones ran once, after the restart.
  expect(mock.requests).toHaveLength(WORKERS + JOBS - WORKERS);
  second.child.kill('SIGTERM');
  await new Promise((resolve) => second.child.once('exit', resolve));
  expect(second.child.exitCode).toBe(0);
}, 90_000);

it('fails a foreground stream cut by a kill -9 at the next start, keeping what it had streamed', async () => {
  const dbFile = join(dir, 'foreground.db');
  mock.reset();
  const chunks = Array.from({ length: 60 }, (_, i) => `f${i} `);
  mock.defaultReply = { kind: 'text', text: chunks.join(''), chunks, delayMs: 40 };
  const first = await serve(dbFile);
  let id: string | undefined;
  let streamed: () => void = () => {};
  const firstDelta = new Promise<void>((resolve) => {
    streamed = resolve;
  });
  // Read on (a client that hangs up would cancel it); the kill ends the connection.
  const streaming = readStream(`${first.url}/v1/responses`, {
    method: 'POST',
    body: { model: MODEL, input: 'stream in the foreground', stream: true },
    key: TEST_KEY,
    onEvent: (event) => {
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta') streamed();
    },
  }).catch(() => undefined);
  await firstDelta;
  expect((await call(first.url, `/v1/responses/${id}`)).status).toBe('in_progress');
  // Some deltas in the event log (written in batches), then the kill.
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const logged = db.prepare(
    `SELECT COUNT(*) AS n FROM response_events WHERE response_id = ? AND data LIKE '{"type":"response.output_text.delta"%'`,
  );
  await expect
    .poll(() => (logged.get(id) as { n: number }).n, { timeout: 10_000, interval: 10 })
    .toBeGreaterThan(2);
  db.close();
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  await streaming;

  const second = await serve(dbFile);
  const response = await call(second.url, `/v1/responses/${id}`);
  expect(response.status).toBe('failed');
  expect(response.error.message).toMatch(/restarted while this response was in progress/);
  expect(response.output_text.startsWith('f0 f1 ')).toBe(true);
  expect(response.output.at(-1)).toMatchObject({ type: 'message', status: 'incomplete' });
  const replay = await readStream(`${second.url}/v1/responses/${id}?stream=true`, { key: TEST_KEY });
  expectWholeSequence(replay.events);
  expect(replay.events.slice(0, 2).map((e) => e.type)).toEqual(['response.created', 'response.in_progress']);
  expect(replay.events.at(-1)).toMatchObject({ type: 'response.failed', response });
  second.child.kill('SIGTERM');
  await new Promise((resolve) => second.child.once('exit', resolve));
}, 90_000);
