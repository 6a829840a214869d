/**
 * The sandbox runner against real bubblewrap and Debian's Python (`.ci/run` installs both): a
 * persistent kernel, its logs, files in and out, and how calls end when they overrun.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome, KernelProcess } from '../../../src/tools/code-interpreter/kernel-process.js';
import { SandboxRuntime } from '../../../src/tools/code-interpreter/sandbox-runtime.js';
import { collectFiles, TEST_SANDBOX } from './sandbox-helpers.js';

let runtime: SandboxRuntime;
let kernel: KernelProcess;

beforeAll(async () => {
  runtime = new SandboxRuntime(TEST_SANDBOX, { mode: 'bwrap', warmKernels: 0, preload: [] });
  const availability = await runtime.availability();
  if (!availability.ok) throw new Error(availability.reason);
  kernel = await runtime.startKernel(TEST_SANDBOX.memoryBytes);
});

afterAll(async () => {
  await runtime.close();
});

async function run(code: string, timeoutMs = 5_000, signal?: AbortSignal) {
  const receiver = collectFiles();
  const outcome = await kernel.run({ op: 'exec', code }, { timeoutMs, signal, receiver });
  return { outcome, reply: replyOf(outcome), files: receiver.files };
}

function replyOf(outcome: CallOutcome) {
  if (outcome.type !== 'reply') throw new Error(`kernel ended: ${JSON.stringify(outcome.end)}`);
  return outcome.reply;
}

describe('sandbox runtime', () => {
  it('keeps variables between calls and prints the last expression', async () => {
    expect((await run('x = 20')).reply.logs).toBe('');
    const { reply } = await run('print("twice", x * 2)\nx + 1');
    expect(reply.logs).toBe('twice 40\n21\n');
    expect(reply.error).toBeNull();
  });

  it('returns an exception as a traceback of the user code only', async () => {
    const { reply } = await run('def f():\n    return 1 / 0\nf()');
    expect(reply.error).toEqual({ name: 'ZeroDivisionError', message: 'division by zero' });
    expect(reply.logs).toContain('File "<cell');
    expect(reply.logs).toContain('return 1 / 0');
    expect(reply.logs).not.toContain('kernel');
    expect((await run('x')).reply.logs).toBe('20\n');
  });

  it('captures output of subprocesses with the same logs', async () => {
    const { reply } = await run(
      'import os, sys\nprint("a")\nos.system("echo b; echo c >&2")\n_ = sys.stderr.write("d\\n")',
    );
    expect(reply.logs).toBe('a\nb\nc\nd\n');
  });

  it('reports files written under /mnt/data with their bytes, and takes files in', async () => {
    await kernel.put('/mnt/data/in.csv', Buffer.from('a,b\n1,2\n3,4\n'));
    const { reply, files } = await run(
      'rows = open("in.csv").read().splitlines()\nopen("/mnt/data/out/n.txt", "w") if False else None\n' +
        'import os; os.makedirs("out", exist_ok=True)\nopen("out/n.txt", "w").write(str(len(rows)))',
    );
    expect(reply.files).toEqual([{ path: '/mnt/data/out/n.txt', size: 1 }]);
    expect(files.get('/mnt/data/out/n.txt')?.toString()).toBe('3');
    const removed = await run('import os; os.remove("out/n.txt")');
    expect(removed.reply.deleted).toEqual(['/mnt/data/out/n.txt']);
  });

  it('saves matplotlib figures shown or left open as PNG files', async () => {
    const { reply, files } = await run(
      'import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()\nplt.figure()\nplt.bar([1], [2])',
      30_000,
    );
    expect(reply.error).toBeNull();
    const names = reply.files.map((file) => file.path);
    expect(names).toEqual(['/mnt/data/figure_1.png', '/mnt/data/figure_2.png']);
    expect(files.get('/mnt/data/figure_1.png')?.subarray(1, 4).toString()).toBe('PNG');
  });

  it('interrupts a call past its time and keeps the kernel', async () => {
    const { outcome, reply } = await run('y = 5\nwhile True: pass', 300);
    expect(outcome).toMatchObject({ stoppedFor: 'timeout' });
    expect(reply.error?.name).toBe('KeyboardInterrupt');
    expect((await run('y')).reply.logs).toBe('5\n');
  });

  it('stops a call on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { outcome } = await run('import time; time.sleep(30)', 10_000, controller.signal);
    expect(outcome).toMatchObject({ stoppedFor: 'abort' });
  });

  it('stops a call aborted before it began, and keeps the kernel and its variables', async () => {
    await run('z = 7');
    // Aborted as it is sent (the interrupt reaches the kernel before the call starts), and before.
    const controller = new AbortController();
    const sent = run('import time; time.sleep(30)', 10_000, controller.signal);
    controller.abort();
    expect((await sent).outcome).toMatchObject({ type: 'reply', stoppedFor: 'abort' });
    const early = await run('import time; time.sleep(30)', 10_000, AbortSignal.abort());
    expect(early.outcome).toMatchObject({ type: 'reply', stoppedFor: 'abort' });
    expect(early.reply.error).toMatchObject({ name: 'KeyboardInterrupt' });
    // Not killed after its grace second: the same kernel answers, with what it had.
    expect(kernel.alive).toBe(true);
    expect((await run('z')).reply.logs).toBe('7\n');
  });

  it('runs shell commands with their own exit codes and time limits', async () => {
    const receiver = collectFiles();
    const outcome = await kernel.run(
      { op: 'shell', commands: ['echo hi; exit 3', 'sleep 10'], timeout_ms: 200 },
      { timeoutMs: 5_000, receiver },
    );
    expect(replyOf(outcome).results).toEqual([
      { stdout: 'hi\n', stderr: '', outcome: { type: 'exit', exit_code: 3 } },
      { stdout: '', stderr: '', outcome: { type: 'timeout' } },
    ]);
  });

  // Last: it ends the kernel.
  it('kills the sandbox when the code ignores the interrupt', async () => {
    const code = 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass';
    const outcome = await kernel.run({ op: 'exec', code }, { timeoutMs: 300, receiver: collectFiles() });
    expect(outcome).toMatchObject({ type: 'ended', end: { killedFor: 'timeout', signal: 'SIGKILL' } });
    expect(kernel.alive).toBe(false);
  });
});
