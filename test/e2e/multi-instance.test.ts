/**
 * Several gateway instances on one PostgreSQL database: what one creates, another reads,
 * continues, cancels and resumes as a stream while the first still generates; and when one is
 * killed with -9, another takes over its running jobs (failed, once) and runs its queued ones
 * within a bounded time (1.5 leases). The same with one instance running `--workers 2`.
 * Skipped, with the reason, only when no PostgreSQL binaries are installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../helpers/gateway-harness.js';
import { type PgServer, pgSkipReason, startPgServer } from '../helpers/pg-cluster.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { expectWholeSequence, readStream } from './event-stream.js';
import type { Any } from './stream-helpers.js';

const LEASE_MS = 1500;
const MODEL = 'gpt-multi';

let pgServer: PgServer | undefined;
let mock: MockChatUpstream;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (pgSkipReason !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'rgw-multi-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      background: { workers: 4, cancelPollMs: 50 },
      files: { dir: join(dir, 'files') },
      codeSandbox: { mode: 'off', dir: join(dir, 'containers') },
      limits: { shareMs: 100 },
    }),
  );
  pgServer = await startPgServer();
  mock = await startMockChatUpstream();
}, 60_000);
afterAll(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) killGroup(child);
  await mock?.close();
  await pgServer?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Instance {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `rgw serve` in a process group of its own on the database; resolves once /readyz answers. */
async function serve(db: string, args: string[] = ['--workers', '1']): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: process.cwd(),
    detached: true,
    env: {
      PATH: process.env.PATH,
      RGW_DB: db,
      RGW_HOST: '127.0.0.1',
      RGW_PORT: String(port),
      RGW_API_KEYS: TEST_KEY,
      RGW_LOG_LEVEL: 'warn',
      RGW_INSTANCE_LEASE_MS: String(LEASE_MS),
      RGW_CONFIG: join(dir, 'config.json'),
      OPENAI_BASE_URL: mock.baseUrl,
      OPENAI_API_KEY: 'upstream-key',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  // Generous: a loaded CI machine takes seconds to load the gateway under tsx.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${output}`);
    const ok = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url, output: () => output };
}

async function call(url: string, path: string, body?: unknown, expected = 200, key = TEST_KEY): Promise<Any> {
  const response = await fetch(url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const parsed = await response.json();
  expect(response.status, JSON.stringify(parsed)).toBe(expected);
  return parsed;
}

async function settled(url: string, id: string): Promise<Any> {
  let response: Any;
  await expect
    .poll(
      async () => {
        response = await call(url, `/v1/responses/${id}`);
        return response.status;
      },
      { timeout: 15_000, interval: 50 },
    )
    .toMatch(/^(completed|failed|incomplete|cancelled)$/);
  return response;
}

/** `rgw keys create` on the database with these flags; the key it printed. */
async function createKey(db: string, flags: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', 'create', ...flags], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, RGW_DB: db, RGW_CONFIG: join(dir, 'config.json'), RGW_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  const key = /^key\s+(\S+)/m.exec(output)?.[1];
  if (!key) throw new Error(`keys create printed no key:\n${output}`);
  return key;
}

function slowReply(prefix: string, count: number, delayMs: number) {
  const chunks = Array.from({ length: count }, (_, i) => `${prefix}${i} `);
  return { kind: 'text' as const, text: chunks.join(''), chunks, delayMs };
}

/** Waits until the response on `url` has logged a text delta (it is generating). */
async function generating(url: string, id: string): Promise<void> {
  await readStream(`${url}/v1/responses/${id}?stream=true`, {
    key: TEST_KEY,
    onEvent: (event) => event.type === 'response.output_text.delta',
  });
}

const layouts = [
  { name: 'two instances', argsA: ['--workers', '1'] },
  { name: 'instance A with --workers 2', argsA: ['--workers', '2'] },
];

describe.each(layouts)('$name, one PostgreSQL database', { timeout: 180_000 }, ({ argsA }) => {
  if (pgSkipReason !== undefined) {
    it.skip(pgSkipReason, () => {});
    return;
  }

  // A and B for the first two cases; the kill case starts instances of its own.
  let a: Instance;
  let b: Instance;
  let db: string;
  beforeAll(async () => {
    db = await pgServer!.createDatabase();
    a = await serve(db, ['--migrate', ...argsA]);
    b = await serve(db);
  }, 120_000);
  afterAll(() => {
    killGroup(a.child);
    killGroup(b.child);
  });

  it('reads, continues and appends to conversations on B what A created', async () => {
    mock.reset();
    mock.defaultReply = { kind: 'text', text: 'first answer', chunks: ['first ', 'answer'] };
    const first = await call(a.url, '/v1/responses', { model: MODEL, input: 'hello' });
    expect(await call(b.url, `/v1/responses/${first.id}`)).toEqual(first);
    mock.defaultReply = { kind: 'text', text: 'second answer', chunks: ['second ', 'answer'] };
    const second = await call(b.url, '/v1/responses', {
      model: MODEL,
      input: 'again',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('second answer');
    // B sent the whole chain it read from the store.
    expect(mock.requests.at(-1)!.body.messages.map((m: Any) => m.content)).toEqual([
      'hello',
      'first answer',
      'again',
    ]);
    const conversation = await call(a.url, '/v1/conversations', { items: [] });
    await call(b.url, '/v1/responses', { model: MODEL, input: 'in conv', conversation: conversation.id });
    const items = await call(a.url, `/v1/conversations/${conversation.id}/items?order=asc`);
    expect(items.data.map((item: Any) => item.role)).toEqual(['user', 'assistant']);
  });

  it("holds a key's rate limit across both: what A let through counts on B", async () => {
    mock.reset();
    mock.defaultReply = { kind: 'text', text: 'ok' };
    const rpm = 6;
    const key = await createKey(db, ['--tenant', `rated-${argsA.join('')}`, '--rpm', String(rpm)]);
    const body = { model: MODEL, input: 'hi', store: false };
    for (let i = 0; i < rpm; i++) await call(a.url, '/v1/responses', body, 200, key);
    // Each instance tells the others what it used every 100 ms (limits.shareMs).
    await expect
      .poll(
        async () => {
          const response = await fetch(`${b.url}/v1/responses`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...body, input: 'probe' }),
          });
          const answer = (await response.json()) as Any;
          return response.status === 429 ? answer.error.code : `HTTP ${response.status}`;
        },
        { timeout: 5_000, interval: 150 },
      )
      .toBe('rate_limit_exceeded');
    // B refused before using its own allowance: alone it would have let all six probes through.
    // How many got through before B heard of A's six depends on the machine's load (on CI's two
    // busy cores, two of them once), so the bound is what proves sharing, not a timing.
    expect(mock.requests.length).toBeGreaterThanOrEqual(rpm);
    expect(mock.requests.length).toBeLessThan(2 * rpm);
  });

  it('resumes on B the stream of a response still generating on A, and cancels on B a job running on A', async () => {
    mock.reset();
    mock.defaultReply = slowReply('s', 30, 30);
    // Streamed on A; B follows from the 3rd event while A is still generating.
    let id: string | undefined;
    let aEnded = false;
    const onA = readStream(`${a.url}/v1/responses`, {
      method: 'POST',
      key: TEST_KEY,
      body: { model: MODEL, input: 'stream me', stream: true, background: true },
      onEvent: (event) => {
        id ??= event.response?.id;
        if (event.type === 'response.completed') aEnded = true;
      },
    });
    await expect.poll(() => id, { timeout: 10_000, interval: 10 }).toBeDefined();
    await generating(b.url, id!);
    let aEndedWhenBStarted: boolean | undefined;
    const resumed = await readStream(`${b.url}/v1/responses/${id}?stream=true&starting_after=2`, {
      key: TEST_KEY,
      onEvent: () => {
        aEndedWhenBStarted ??= aEnded;
      },
    });
    const streamed = await onA;
    expectWholeSequence(streamed.events);
    expect(aEndedWhenBStarted).toBe(false);
    expect(resumed.texts).toEqual(streamed.texts.slice(3));

    // Cancel through B while A runs it.
    mock.defaultReply = slowReply('c', 200, 30);
    const job = await call(a.url, '/v1/responses', { model: MODEL, input: 'cancel me', background: true });
    await generating(b.url, job.id);
    const cancelled = await call(b.url, `/v1/responses/${job.id}/cancel`, {});
    expect(cancelled.status).toBe('cancelled');
    expect((await settled(a.url, job.id)).status).toBe('cancelled');
    await mock.waitForAbort(2, 5000);
  });

  it('takes over the jobs of A killed with -9: running ones failed once, queued ones run on B', async () => {
    const db = await pgServer!.createDatabase();
    const victim = await serve(db, ['--migrate', ...argsA]);
    mock.reset();
    // Long enough to be running whenever the kill comes, however slowly B starts.
    mock.defaultReply = slowReply('k', 4000, 25);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await call(victim.url, '/v1/responses', { model: MODEL, input: `job ${i}`, background: true })).id,
      );
    }
    // Every job has text deltas in the log (B reads the log) before the kill.
    const taker = await serve(db);
    await Promise.all(ids.map((id) => generating(taker.url, id)));
    killGroup(victim.child);
    await new Promise((resolve) => victim.child.once('exit', resolve));
    const killedAt = Date.now();
    mock.defaultReply = { kind: 'text', text: 'after the kill', chunks: ['after ', 'the kill'] };
    const queued = await call(taker.url, '/v1/responses', {
      model: MODEL,
      input: 'queued on B',
      background: true,
    });
    const results = await Promise.all(ids.map((id) => settled(taker.url, id)));
    const tookMs = Date.now() - killedAt;
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    for (const response of results) {
      expect(response.error.code).toBe('server_error');
      const replay = await readStream(`${taker.url}/v1/responses/${response.id}?stream=true`, {
        key: TEST_KEY,
      });
      expectWholeSequence(replay.events);
      expect(replay.events.at(-1).response).toEqual(response);
      expect(response.output_text, JSON.stringify(response)).toMatch(/^k0 /);
    }
    // Bounded: the lease plus half a lease for the sweep (and polling slack on a loaded machine).
    expect(tookMs).toBeLessThan(LEASE_MS * 1.5 + 3000);
    expect((await settled(taker.url, queued.id)).output_text).toBe('after the kill');
    // Never both: the interrupted jobs were not run again.
    expect(mock.requests.filter((r) => r.body.messages.at(-1).content.startsWith('job '))).toHaveLength(3);
  });
});
