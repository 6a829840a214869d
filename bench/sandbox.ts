/**
 * The code sandbox's own costs (issue 13), measured through the same path code_interpreter takes
 * (containers, sessions, file sync, the store): a new container's cold start to the answer of its
 * first `print(1)`, with and without a warm kernel waiting; the overhead of a warm call; and a
 * pandas and a matplotlib call on a warm kernel. Targets: cold start <= 300 ms, warm <= 30 ms.
 *
 * `npm run bench -- --only=sandbox` runs this part alone; `tsx bench/sandbox.ts` too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/config-schema.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createCodeContainers } from '../src/tools/containers/code-containers.js';

interface Row {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  target: string;
  met: boolean | null;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function runSandboxBench(options: { quick: boolean; out?: string }): Promise<Row[]> {
  const n = (full: number) => (options.quick ? Math.max(2, Math.round(full / 10)) : full);
  pauseScale = options.quick ? 0.1 : 1;
  const rows: Row[] = [];
  const cold = await coldStarts(n(20), 0);
  rows.push(row('container cold start, no warm kernel', cold, 300));
  const pooled = await coldStarts(n(20), 1);
  rows.push(row('container cold start, warm kernel ready', pooled, 300));
  const libraries = 'import pandas as pd, matplotlib.pyplot as plt\nprint(1)';
  rows.push(row('new container: pandas+pyplot import', await coldStarts(n(8), 0, libraries), null));
  rows.push(row('same, warm kernel (preloaded) ready', await coldStarts(n(8), 1, libraries), null));

  const { code, store } = setUp(0);
  try {
    const container = await code.containers.create('bench', { name: 'bench' });
    const record = await code.containers.usable('bench', container.id, null);
    const call = async (source: string) => {
      const started = performance.now();
      const result = await code.containers.run(
        'bench',
        record,
        { op: 'exec', code: source },
        { timeoutMs: 60_000 },
      );
      if (result.outcome.type !== 'reply' || result.outcome.reply.error) {
        throw new Error(`bench call failed: ${JSON.stringify(result.outcome).slice(0, 400)}`);
      }
      return performance.now() - started;
    };
    await call('import pandas as pd, numpy as np\nimport matplotlib.pyplot as plt');
    rows.push(row('warm call overhead, print(1)', await repeat(n(300), () => call('print(1)')), 30));
    const frame =
      'df = pd.DataFrame({"a": np.arange(10_000), "b": np.arange(10_000) % 7})\ndf.groupby("b").a.describe()';
    rows.push(row('pandas groupby/describe, 10k rows', await repeat(n(50), () => call(frame)), null));
    const plot = 'plt.plot(np.arange(100) ** 2)\nplt.savefig("/mnt/data/plot.png")\nplt.close()';
    rows.push(row('matplotlib line plot saved as PNG', await repeat(n(30), () => call(plot)), null));
  } finally {
    await code.close();
    await store.close();
  }
  print(rows, options.quick);
  const out = options.out ?? join(ROOT, 'bench/sandbox-results.json');
  writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), quick: options.quick, rows }, null, 2)}\n`,
  );
  console.log(`Wrote ${out}`);
  return rows;
}

function setUp(warmKernels: number) {
  const config = configSchema.parse({ codeSandbox: { warmKernels } }).codeSandbox;
  const store = new SqliteStore(':memory:');
  const code = createCodeContainers(config, {
    repository: store.containers,
    responses: store.responses,
    db: ':memory:',
  });
  return { code, store };
}

/** From `POST /containers` to the answer of the first call, each in a new container. */
async function coldStarts(samples: number, warmKernels: number, source = 'print(1)'): Promise<number[]> {
  const { code, store } = setUp(warmKernels);
  try {
    const available = await code.runtime.availability();
    if (!available.ok) throw new Error(available.reason);
    // Let the font cache (and the warm kernel) settle first: the steady state is what is measured.
    await warmUp(code, warmKernels);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const container = await code.containers.create('bench', { name: `cold-${i}` });
      const record = await code.containers.usable('bench', container.id, null);
      const result = await code.containers.run(
        'bench',
        record,
        { op: 'exec', code: source },
        { timeoutMs: 60_000 },
      );
      times.push(performance.now() - started);
      if (result.outcome.type !== 'reply' || result.outcome.reply.logs !== '1\n')
        throw new Error('cold start failed');
      await code.containers.delete('bench', container.id);
      // A new container waits for the next warm kernel only in a burst; between users it is ready.
      if (warmKernels > 0) await sleep(4_000);
    }
    return times;
  } finally {
    await code.close();
    await store.close();
  }
}

async function warmUp(code: ReturnType<typeof setUp>['code'], warmKernels: number): Promise<void> {
  const container = await code.containers.create('bench', { name: 'warm-up' });
  const record = await code.containers.usable('bench', container.id, null);
  await code.containers.run('bench', record, { op: 'exec', code: 'print(1)' }, { timeoutMs: 60_000 });
  await code.containers.delete('bench', container.id);
  await sleep(warmKernels > 0 ? 8_000 : 4_000);
}

async function repeat(samples: number, once: () => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await once());
  return times;
}

function row(name: string, times: number[], targetMs: number | null): Row {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const p50 = at(0.5);
  return {
    name,
    samples: times.length,
    p50,
    p99: at(0.99),
    target: targetMs === null ? '' : `p50 <= ${targetMs} ms`,
    met: targetMs === null ? null : p50 <= targetMs,
  };
}

function print(rows: Row[], quick: boolean): void {
  const lines = [
    '| code sandbox                            | samples | p50 ms | p99 ms | target          | met |',
    '|-----------------------------------------|---------|--------|--------|-----------------|-----|',
    ...rows.map(
      (r) =>
        `| ${r.name.padEnd(39)} | ${String(r.samples).padStart(7)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99
          .toFixed(1)
          .padStart(6)} | ${r.target.padEnd(15)} | ${r.met === null ? '   ' : r.met ? 'yes' : 'NO '} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}\n${quick ? 'QUICK RUN: numbers are meaningless.\n' : ''}`);
}

/** Quick runs (a check of the harness) do not wait for warm kernels to settle. */
let pauseScale = 1;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms * pauseScale));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runSandboxBench({ quick: process.argv.includes('--quick') }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
