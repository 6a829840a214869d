/**
 * Containers below the HTTP layer: idle expiry on a moved clock, the per-tenant cap, and the live
 * kernel caps (an idle kernel is evicted for a new one; its container restarts without variables).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { SandboxRuntime } from '../../../src/tools/code-interpreter/sandbox-runtime.js';
import { ContainerBinding } from '../../../src/tools/containers/container-binding.js';
import { ContainerFileStore } from '../../../src/tools/containers/container-file-store.js';
import { ContainerSessions } from '../../../src/tools/containers/container-sessions.js';
import { Containers, safeName } from '../../../src/tools/containers/containers.js';
import { TEST_SANDBOX } from '../code-interpreter/sandbox-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp(options: { maxLive?: number; maxLivePerTenant?: number; maxPerTenant?: number } = {}) {
  const store = new SqliteStore(':memory:');
  const dir = mkdtempSync(join(tmpdir(), 'rgw-containers-test-'));
  const runtime = new SandboxRuntime(TEST_SANDBOX, { mode: 'bwrap', warmKernels: 0, preload: [] });
  const files = new ContainerFileStore(dir);
  const sessions = new ContainerSessions(runtime, store.containers, files, {
    maxLive: options.maxLive ?? 8,
    maxLivePerTenant: options.maxLivePerTenant ?? 8,
    memoryBytes: () => TEST_SANDBOX.memoryBytes,
  });
  const clock = { now: 1_000_000 };
  const containers = new Containers({
    repository: store.containers,
    files,
    sessions,
    policy: {
      idleMinutes: 20,
      maxPerTenant: options.maxPerTenant ?? 10,
      maxBytes: TEST_SANDBOX.diskBytes,
      sweepMs: 60_000,
    },
    now: () => clock.now,
  });
  cleanups.push(async () => {
    await runtime.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const exec = async (id: string, code: string, tenant = 't1') => {
    const record = await containers.usable(tenant, id, null);
    return containers.run(tenant, record, { op: 'exec', code }, { timeoutMs: 10_000 });
  };
  return { containers, sessions, clock, exec };
}

describe('container expiry', () => {
  it('expires a container idle past its minutes: kernel ended, files gone, tools refused', async () => {
    const { containers, sessions, clock, exec } = setUp();
    const box = await containers.create('t1', {
      name: 'idle',
      expires_after: { anchor: 'last_active_at', minutes: 1 },
    });
    await containers.addFile('t1', box.id, 'a.txt', Buffer.from('a'));
    await exec(box.id, 'x = 1');
    expect(sessions.live).toBe(1);
    clock.now += 59;
    expect(await containers.sweep()).toBe(0);
    clock.now += 1;
    expect(await containers.sweep()).toBe(1);
    expect(sessions.live).toBe(0);
    expect((await containers.retrieve('t1', box.id)).status).toBe('expired');
    await expect(containers.usable('t1', box.id, 'tools[0].container')).rejects.toMatchObject({
      status: 400,
      code: 'container_expired',
      param: 'tools[0].container',
    });
    await expect(containers.listFiles('t1', box.id, { limit: 10, order: 'asc' })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('counts activity from the last call, not from creation', async () => {
    const { containers, clock, exec } = setUp();
    const box = await containers.create('t1', {
      name: 'busy',
      expires_after: { anchor: 'last_active_at', minutes: 1 },
    });
    clock.now += 50;
    await exec(box.id, 'pass');
    clock.now += 50;
    expect(await containers.sweep()).toBe(0);
    expect((await containers.retrieve('t1', box.id)).last_active_at).toBe(1_000_050);
  });
});

describe('container caps', () => {
  it('refuses more unexpired containers than a tenant may have', async () => {
    const { containers } = setUp({ maxPerTenant: 2 });
    await containers.create('t1', { name: 'a' });
    await containers.create('t1', { name: 'b' });
    await expect(containers.create('t1', { name: 'c' })).rejects.toMatchObject({
      status: 429,
      code: 'container_limit',
    });
    await expect(containers.create('t2', { name: 'other tenant' })).resolves.toMatchObject({
      status: 'running',
    });
  });

  it('evicts the least recently used idle kernel; that container restarts without its variables', async () => {
    const { containers, sessions, exec } = setUp({ maxLive: 2 });
    const [a, b, c] = [
      await containers.create('t1', { name: 'a' }),
      await containers.create('t1', { name: 'b' }),
      await containers.create('t2', { name: 'c' }),
    ];
    await exec(a.id, 'value = "a"');
    await exec(b.id, 'value = "b"');
    await exec(c.id, 'value = "c"', 't2');
    expect(sessions.live).toBe(2);
    const again = await exec(a.id, 'print(value)');
    expect(again.restarted).toBe(true);
    expect(again.outcome).toMatchObject({ type: 'reply', reply: { error: { name: 'NameError' } } });
    const kept = await exec(c.id, 'print(value)', 't2');
    expect(kept.outcome).toMatchObject({ type: 'reply', reply: { logs: 'c\n' } });
  });

  it('answers 429 when every kernel in the way is busy', async () => {
    const { containers, exec } = setUp({ maxLivePerTenant: 1 });
    const a = await containers.create('t1', { name: 'a' });
    const b = await containers.create('t1', { name: 'b' });
    const busy = exec(a.id, 'import time\ntime.sleep(1.5)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(exec(b.id, 'pass')).rejects.toMatchObject({ status: 429, code: 'container_limit' });
    await busy;
    await expect(exec(b.id, 'pass')).resolves.toMatchObject({ outcome: { type: 'reply' } });
  });
});

describe('container files and kernels', () => {
  it('puts uploaded files into a running kernel and keeps files the code writes', async () => {
    const { containers, exec } = setUp();
    const box = await containers.create('t1', { name: 'files' });
    await exec(box.id, 'pass');
    await containers.addFile('t1', box.id, 'late.txt', Buffer.from('late'));
    const read = await exec(
      box.id,
      'print(open("/mnt/data/late.txt").read())\nopen("out.txt", "w").write("made")',
    );
    expect(read.outcome).toMatchObject({ reply: { logs: 'late\n4\n' } });
    expect(read.written.map((f) => [f.path, f.bytes, f.source])).toEqual([
      ['/mnt/data/out.txt', 4, 'assistant'],
    ]);
    // Overwritten, the file keeps its id.
    const again = await exec(box.id, 'open("out.txt", "w").write("made again")');
    expect(again.written[0]!.id).toBe(read.written[0]!.id);
    expect((await containers.fileBytes('t1', box.id, read.written[0]!.id))?.toString()).toBe('made again');
  });

  it("binds auto to the previous turn's container when it is still there", async () => {
    const { containers } = setUp();
    const earlier = await containers.create('t1', { name: 'earlier' });
    const previous = async () => earlier.id;
    const binding = await ContainerBinding.bind(
      containers,
      { tenantId: 't1', param: 'tools[0].container', previous },
      {
        auto: { type: 'auto' },
      },
    );
    const context = { tenantId: 't1', responseId: 'resp_1', include: [], previousResponseId: 'resp_0' };
    expect((await binding.container(context)).id).toBe(earlier.id);
    expect(binding.id).toBe(earlier.id);
    const fresh = await ContainerBinding.bind(
      containers,
      { tenantId: 't1', param: 'p', previous },
      { auto: {} },
    );
    const made = await fresh.container({ ...context, previousResponseId: undefined });
    expect(made.id).toBe(fresh.id);
    expect(made.name).toBe('auto container for resp_1');
  });

  it('names uploads by their last path segment only', () => {
    expect(safeName('../../etc/passwd')).toBe('passwd');
    expect(safeName('a\\b\\c.csv')).toBe('c.csv');
    expect(safeName('..')).toBe('file');
    expect(safeName('we\u0000ird\n.txt')).toBe('weird.txt');
  });
});
