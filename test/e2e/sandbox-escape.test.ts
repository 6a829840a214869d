/**
 * Escape and exhaustion attempts, each as code a model hands to code_interpreter: each must fail
 * inside its sandbox while the gateway keeps answering. Limits are small (2 s per call, 512 MB
 * address space, 32 processes, 50 MB per file, 64 MB of /mnt/data) so every limit is reached fast.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { TEST_CODE_SANDBOX } from '../tools/code-interpreter/sandbox-helpers.js';
import type { Any } from './stream-helpers.js';

let harness: Harness;
let client: OpenAI;
let dir: string;
let db: string;
let containerId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-escape-'));
  db = join(dir, 'gateway.db');
  harness = await startHarness({ env: { RGW_DB: db }, config: { codeSandbox: TEST_CODE_SANDBOX } });
  client = sdkClient(harness);
  containerId = (await client.containers.create({ name: 'attacks' })).id;
});
afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

const usage = { prompt_tokens: 1, completion_tokens: 1 };

/** Runs `code` as the model's call in the shared container; returns the item and what the model was told. */
async function attempt(code: string): Promise<{ item: Any; told: string }> {
  harness.mock.reset();
  const call: MockReply = {
    kind: 'text',
    text: '',
    toolCalls: [{ id: 'a1', name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
    finishReason: 'tool_calls',
    usage,
  };
  harness.mock.enqueue(call, { kind: 'text', text: 'ok', usage });
  const response = (await client.responses.create({
    model: 'gpt-attacker',
    input: 'go',
    tools: [{ type: 'code_interpreter', container: containerId }],
    include: ['code_interpreter_call.outputs'],
  })) as Any;
  expect(response.status).toBe('completed');
  const told = harness.mock.requests[1]!.body.messages.filter((m: Any) => m.role === 'tool').at(-1).content;
  return { item: response.output[0], told };
}

/** The gateway answers while (and after) an attack runs. */
async function stillServing(): Promise<void> {
  const started = Date.now();
  const health = await fetch(`${harness.url}/healthz`);
  expect(health.status).toBe(200);
  expect((await client.containers.retrieve(containerId)).status).toBe('running');
  expect(Date.now() - started).toBeLessThan(2_500);
}

describe('sandbox escapes fail', () => {
  it("cannot read /etc/shadow, the gateway's database or its environment", async () => {
    const { told } = await attempt(
      [
        'import os',
        'for path in ["/etc/shadow", ' +
          JSON.stringify(db) +
          ', "/proc/1/root/etc/shadow", "/work", "/root"]:',
        '    try:',
        '        print(path, "GOT_CONTENT", open(path, "rb").read(64))',
        '    except Exception as e:',
        '        print(path, "DENIED", type(e).__name__)',
        'print("ENV", sorted(os.environ))',
        'print("ROOT", sorted(os.listdir("/")))',
      ].join('\n'),
    );
    expect(told).not.toContain('GOT_CONTENT');
    expect(told).toContain('/etc/shadow DENIED FileNotFoundError');
    expect(told).toContain(`${db} DENIED FileNotFoundError`);
    expect(told).not.toContain('upstream-key');
    expect(told).not.toContain('OPENAI');
    const root = JSON.parse(told.split('ROOT ')[1]!.trim().replaceAll("'", '"')) as string[];
    const allowed = [
      'bin',
      'dev',
      'etc',
      'lib',
      'lib32',
      'lib64',
      'libx32',
      'mnt',
      'opt',
      'proc',
      'sbin',
      'tmp',
      'usr',
    ];
    expect(root.filter((name) => !allowed.includes(name))).toEqual([]);
    const shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0]!;
    expect(told).not.toContain(shadow.slice(0, 20));
  });

  it("cannot see the host's processes", async () => {
    const { told } = await attempt(
      'import os\npids = [p for p in os.listdir("/proc") if p.isdigit()]\n' +
        'print(len(pids), [open(f"/proc/{p}/cmdline","rb").read()[:40] for p in pids])',
    );
    expect(told).not.toMatch(/node|vitest/);
    const count = Number(told.split(' ')[0]);
    expect(count).toBeLessThanOrEqual(3);
  });

  it('cannot open a TCP connection, not even to 127.0.0.1 or the metadata address', async () => {
    const port = new URL(harness.url).port;
    const { told } = await attempt(
      [
        'import socket',
        `for host, port in [("127.0.0.1", ${port}), ("169.254.169.254", 80), ("1.1.1.1", 443)]:`,
        '    try:',
        '        socket.create_connection((host, port), timeout=1)',
        '        print(host, "CONNECTED")',
        '    except OSError as e:',
        '        print(host, "BLOCKED", e.errno)',
        'try:',
        '    socket.getaddrinfo("example.com", 80)',
        '    print("DNS RESOLVED")',
        'except OSError:',
        '    print("DNS BLOCKED")',
        'import os; print("IFACES", sorted(os.listdir("/sys/class/net")) if os.path.exists("/sys/class/net") else "none")',
      ].join('\n'),
    );
    expect(told).not.toContain('CONNECTED');
    expect(told).toContain('127.0.0.1 BLOCKED');
    expect(told).toContain('169.254.169.254 BLOCKED');
    expect(told).toContain('DNS BLOCKED');
    await stillServing();
  });

  it('survives a fork bomb: the process limit stops it and the kernel goes on', async () => {
    const { item, told } = await attempt('import os\nwhile True:\n    os.fork()');
    expect(item.status).toBe('completed');
    expect(told).toMatch(/BlockingIOError|Resource temporarily unavailable/);
    await stillServing();
    const after = await attempt(
      'import subprocess\nprint(subprocess.run(["echo", "alive"], capture_output=True).stdout)',
    );
    expect(after.told).toContain("b'alive\\n'");
  });

  it('survives a shell fork bomb: stopped at the time limit, strays killed', async () => {
    const { item } = await attempt('import os\nos.system(":(){ :|:& };:")\nimport time\ntime.sleep(30)');
    expect(item.status).toBe('incomplete');
    await stillServing();
    const after = await attempt('import os\nprint(len([p for p in os.listdir("/proc") if p.isdigit()]))');
    expect(Number(after.told.trim())).toBeLessThanOrEqual(3);
  });

  it('stops an infinite loop at the time limit while other requests are served', async () => {
    const running = attempt('while True:\n    pass');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stillServing();
    const { item, told } = await running;
    expect(item.status).toBe('incomplete');
    expect(told).toMatch(/timed out after 2 s/);
  });

  it('cannot allocate 10 GB', async () => {
    const { item, told } = await attempt(
      'try:\n    block = bytearray(10 * 1024**3)\n    print("ALLOCATED")\nexcept MemoryError:\n    print("refused")\n' +
        'import numpy as np\nnp.ones(10 * 1024**3 // 8)',
    );
    expect(item.status).toBe('completed');
    expect(told).toContain('refused');
    expect(told).toContain('MemoryError');
    expect(told).not.toContain('ALLOCATED');
    await stillServing();
  });

  it('cannot write 10 GB: the file size limit and the bounded /mnt/data and /tmp stop it', async () => {
    const { item, told } = await attempt(
      [
        'chunk = b"x" * (1024 * 1024)',
        'for target in ["/mnt/data/big.bin", "/tmp/big.bin"]:',
        '    try:',
        '        with open(target, "wb") as f:',
        '            for _ in range(10 * 1024):',
        '                f.write(chunk)',
        '    except OSError as e:',
        '        print(target, "STOPPED", e.strerror)',
        'import os',
        'for name in ("/mnt/data/big.bin", "/tmp/big.bin"):',
        '    os.remove(name)',
        'written = 0',
        'try:',
        '    for i in range(400):',
        '        with open(f"/mnt/data/part{i}.bin", "wb") as f:',
        '            f.write(b"y" * 40 * 1024 * 1024)',
        '        written += 40',
        'except OSError as e:',
        '    print("MANY STOPPED", e.strerror, written)',
        'for i in range(400):',
        '    if os.path.exists(f"/mnt/data/part{i}.bin"): os.remove(f"/mnt/data/part{i}.bin")',
      ].join('\n'),
    );
    expect(item.status).toBe('completed');
    expect(told).toContain('/mnt/data/big.bin STOPPED File too large');
    expect(told).toContain('/tmp/big.bin STOPPED');
    expect(told).toMatch(/MANY STOPPED No space left on device (0|40)\b/);
    await stillServing();
  });

  it('cannot reach host files through symlinks in its files', async () => {
    await client.containers.files.create(containerId, {
      file: await toFile(Buffer.from('a,b\n'), '../../../etc/data.csv'),
    });
    const { told } = await attempt(
      [
        'import os',
        'print(sorted(os.listdir("/mnt/data")))',
        'os.remove("/mnt/data/data.csv")',
        'os.symlink("/etc/shadow", "/mnt/data/data.csv")',
        'os.symlink(' + JSON.stringify(db) + ', "/mnt/data/db-link")',
        'os.symlink("/", "/mnt/data/root-link")',
      ].join('\n'),
    );
    expect(told).toContain("'data.csv'");
    expect(told).toContain('Files removed: /mnt/data/data.csv');
    const files = await client.containers.files.list(containerId);
    const paths = files.data.map((f) => f.path);
    expect(paths).not.toContain('/mnt/data/data.csv');
    expect(paths.some((p) => p.includes('link'))).toBe(false);
    for (const file of files.data) {
      const content = await client.containers.files.content.retrieve(file.id, { container_id: containerId });
      expect(await content.text()).not.toContain('root:');
    }
  });
});
