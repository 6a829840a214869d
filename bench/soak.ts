/**
 * `npm run soak [-- --seconds=120] [--concurrency=16] [--gateway=dist/cli/main.js]` (dist/ is built when stale)
 *
 * A bounded mixed load on loopback against one gateway process: non-streaming and streamed
 * responses, background responses polled to the end, and file_search calls over a vector store
 * (the upstream asks for the tool, then answers). Prints the gateway's RSS and open file
 * descriptors over time, the growth after warm-up (target < 10 %), request counts, latency and
 * every error. Figures, not a pass/fail test: CI does not run it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { ensureGatewayBuilt, ROOT } from './compile.js';

const KEY = 'soak-key';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '16' },
    gateway: { type: 'string' },
  },
});
const SECONDS = Number(flags.seconds);
const WARMUP_SECONDS = Math.min(20, Math.round(SECONDS / 5));
const CONCURRENCY = Number(flags.concurrency);

/** A Chat Completions upstream that calls file_search once when offered it, then answers. */
function startUpstream(): Promise<{ url: string; close(): void }> {
  const answer = (body: Record<string, unknown>, res: ServerResponse) => {
    const messages = body.messages as Array<{ role: string }>;
    const tools = (body.tools as Array<{ function: { name: string } }> | undefined) ?? [];
    const callTool = tools.some((t) => t.function.name === 'file_search') && messages.at(-1)?.role !== 'tool';
    const text = 'The office opens at nine 【1】, as the notes say.';
    const usage = { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 };
    const toolCall = {
      index: 0,
      id: `call_${Math.random().toString(36).slice(2)}`,
      type: 'function',
      function: { name: 'file_search', arguments: '{"queries":["office hours"]}' },
    };
    if (!body.stream) {
      const message = callTool
        ? { role: 'assistant', content: null, tool_calls: [toolCall] }
        : { role: 'assistant', content: text };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'cmpl',
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message, finish_reason: callTool ? 'tool_calls' : 'stop' }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (callTool) {
      res.write(chunk({ role: 'assistant', tool_calls: [toolCall] }));
      res.end(
        `${chunk({}, 'tool_calls')}data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`,
      );
      return;
    }
    const words = text.split(/(?<= )/);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i < words.length) {
        res.write(chunk({ content: words[i++] }));
        setTimeout(next, 5);
        return;
      }
      res.end(`${chunk({}, 'stop')}data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`);
    };
    next();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => answer(JSON.parse(raw || '{}'), res));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/v1`, close: () => server.close() });
    });
  });
}

interface Sample {
  at: number;
  rssMb: number;
  fds: number;
}

function sample(pid: number, started: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    at: (Date.now() - started) / 1000,
    rssMb: rssKb / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'rgw-soak-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // The build users run (npm start), as the bench measures it: tsx's loader would add its own memory.
  const buildError = flags.gateway
    ? undefined
    : ensureGatewayBuilt((line) => console.error(`[soak] ${line}`));
  if (buildError) throw new Error(buildError);
  const entry = flags.gateway ?? join(ROOT, 'dist/cli/main.js');
  const child = spawn(
    process.execPath,
    [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry, 'serve'],
    {
      env: {
        PATH: process.env.PATH,
        RGW_DB: join(dir, 'soak.db'),
        RGW_HOST: '127.0.0.1',
        RGW_PORT: String(port),
        RGW_API_KEYS: KEY,
        RGW_LOG_LEVEL: 'warn',
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: 'upstream',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${origin}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error('the gateway did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pool = new Pool(origin, { connections: CONCURRENCY * 2 });
  const send = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await pool.request({
      method,
      path,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`${method} ${path} → ${response.statusCode}: ${text.slice(0, 200)}`);
    return text;
  };

  // A vector store for the file_search share of the load.
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob(['# Notes\n\nThe office opens at nine and closes at five.']), 'notes.md');
  const file = (await (
    await fetch(`${origin}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: form,
    })
  ).json()) as { id: string };
  const store = JSON.parse(
    await send('POST', '/v1/vector_stores', { name: 'soak', file_ids: [file.id] }),
  ) as {
    id: string;
  };
  for (;;) {
    const current = JSON.parse(await send('GET', `/v1/vector_stores/${store.id}`)) as { status: string };
    if (current.status === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const kinds = {
    plain: () => send('POST', '/v1/responses', { model: 'soak', input: 'Hello' }),
    stream: () => send('POST', '/v1/responses', { model: 'soak', input: 'Stream', stream: true }),
    background: async () => {
      const { id } = JSON.parse(
        await send('POST', '/v1/responses', { model: 'soak', input: 'Later', background: true }),
      ) as { id: string };
      for (;;) {
        const { status } = JSON.parse(await send('GET', `/v1/responses/${id}`)) as { status: string };
        if (status !== 'queued' && status !== 'in_progress') return status;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    tools: () =>
      send('POST', '/v1/responses', {
        model: 'soak',
        input: 'When does the office open?',
        tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
        stream: Math.random() < 0.5,
      }),
  };
  const mix: Array<keyof typeof kinds> = [
    'plain',
    'plain',
    'stream',
    'stream',
    'stream',
    'background',
    'tools',
    'tools',
  ];
  const latencies: Record<string, number[]> = { plain: [], stream: [], background: [], tools: [] };
  const errors: string[] = [];
  const started = Date.now();
  const samples: Sample[] = [sample(child.pid!, started)];
  const sampler = setInterval(() => samples.push(sample(child.pid!, started)), 1000);
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let n = worker; Date.now() < deadline; n++) {
        const kind = mix[n % mix.length]!;
        const t0 = performance.now();
        try {
          await kinds[kind]();
          latencies[kind]!.push(performance.now() - t0);
        } catch (error) {
          errors.push(`${kind}: ${(error as Error).message}`);
        }
      }
    }),
  );
  clearInterval(sampler);
  samples.push(sample(child.pid!, started));
  await pool.close();
  child.kill('SIGTERM');
  upstream.close();
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });

  const afterWarmup = samples.find((s) => s.at >= WARMUP_SECONDS) ?? samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.filter((s) => s.at >= WARMUP_SECONDS).map((s) => s.rssMb));
  const growth = ((last.rssMb - afterWarmup.rssMb) / afterWarmup.rssMb) * 100;
  console.log(
    `soak: ${SECONDS} s, ${CONCURRENCY} clients, warm-up ${WARMUP_SECONDS} s, Node ${process.version}`,
  );
  console.log('| kind | requests | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|');
  for (const [kind, values] of Object.entries(latencies)) {
    console.log(
      `| ${kind} | ${values.length} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 99).toFixed(1)} |`,
    );
  }
  console.log(
    `RSS after warm-up ${afterWarmup.rssMb.toFixed(1)} MB, at the end ${last.rssMb.toFixed(1)} MB ` +
      `(growth ${growth.toFixed(1)} %, target < 10 %), peak ${peak.toFixed(1)} MB`,
  );
  console.log(`open fds after warm-up ${afterWarmup.fds}, at the end ${last.fds}`);
  const every = Math.max(1, Math.floor(samples.length / 12));
  console.log(
    `RSS MB over time: ${samples
      .filter((_, i) => i % every === 0)
      .map((s) => `${Math.round(s.at)}s:${s.rssMb.toFixed(0)}`)
      .join(' ')}`,
  );
  console.log(
    `errors: ${errors.length}${errors.length ? `\n${[...new Set(errors)].slice(0, 10).join('\n')}` : ''}`,
  );
  process.exitCode = errors.length > 0 || growth >= 10 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
