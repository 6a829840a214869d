/**
 * The operations story as a new user lives it, with the CLI spawned as processes: keys for two
 * tenants, a request limit and a budget hit, `rgw usage` and /metrics moving, a config reloaded
 * with SIGHUP while a stream runs, tenants unable to see each other's objects, and a SIGTERM that
 * lets a running stream finish.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonBody } from '../helpers/json-body.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';

const run = promisify(execFile);
const ADMIN_KEY = 'admin-0123456789abcdef';
let dir: string;
let mock: MockChatUpstream;
let server: ChildProcess;
let url: string;
let output = '';
let acme: string;
let globex: string;

const configYaml = (extra = '') => `providers:
  - name: up
    type: openai-chat
    baseUrl: \${MOCK_URL}
    apiKey: \${MOCK_KEY:-upstream-key}
codeSandbox: { mode: "off" }
${extra}`;

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    RGW_DB: join(dir, 'gateway.db'),
    RGW_CONFIG: join(dir, 'gateway.config.yaml'),
    RGW_LOG_LEVEL: 'info',
    MOCK_URL: mock.baseUrl,
    RGW_ADMIN_KEY: ADMIN_KEY,
  };
}

async function rgw(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: process.cwd(),
    env: env(),
  });
  return stdout;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function call(key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: JsonBody = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const keyOf = (stdout: string) => /^key\s+(\S+)$/m.exec(stdout)![1]!;
const slowReply = (n: number) => {
  const chunks = Array.from({ length: n }, (_, i) => `w${i} `);
  return { kind: 'text' as const, text: chunks.join(''), chunks, delayMs: 40 };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-ops-'));
  mock = await startMockChatUpstream({ apiKey: 'upstream-key' });
  mock.defaultReply = { kind: 'text', text: 'ok', usage: { prompt_tokens: 1000, completion_tokens: 1000 } };
  writeFileSync(join(dir, 'gateway.config.yaml'), configYaml());
  acme = keyOf(await rgw('keys', 'create', '--tenant', 'acme', '--name', 'acme-ci', '--rpm', '4'));
  globex = keyOf(
    await rgw('keys', 'create', '--tenant', 'globex', '--budget', '0.001', '--budget-period', 'day'),
  );
  const port = await freePort();
  server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port)], {
    cwd: process.cwd(),
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (output += chunk));
  server.stderr!.on('data', (chunk) => (output += chunk));
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (server.exitCode !== null || Date.now() > deadline)
      throw new Error(`gateway did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);

afterAll(async () => {
  if (server?.exitCode === null) server.kill('SIGKILL');
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operations, as a new user', () => {
  it('lists keys without their secrets', async () => {
    const listed = await rgw('keys', 'list');
    expect(listed).toContain('tenant=acme  name=acme-ci');
    expect(listed).toContain('rpm=4');
    expect(listed).toContain('budget=$0.001/day');
    expect(listed).not.toContain(acme);
    expect(listed).not.toContain(globex);
  });

  it('keeps each tenant to its own responses, conversations, files and vector stores', async () => {
    const response = await call(acme, 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi' });
    expect(response.status).toBe(200);
    const conversation = await call(acme, 'POST', '/v1/conversations', {});
    const form = new FormData();
    form.append('purpose', 'assistants');
    form.append('file', new Blob(['acme secrets']), 'notes.txt');
    const file = await fetch(`${url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}` },
      body: form,
    });
    const fileId = ((await file.json()) as JsonBody).id as string;
    const store = await call(acme, 'POST', '/v1/vector_stores', { name: 'acme docs' });
    for (const [path, missing] of [
      [
        `/v1/responses/${response.body.id}`,
        '/v1/responses/resp_0000000000000000000000000000000000000000000000000',
      ],
      [
        `/v1/conversations/${conversation.body.id}`,
        '/v1/conversations/conv_000000000000000000000000000000000000000000000000',
      ],
      [`/v1/files/${fileId}`, '/v1/files/file-000000000000000000000000000000000000000000000000'],
      [
        `/v1/vector_stores/${store.body.id}`,
        '/v1/vector_stores/vs_000000000000000000000000000000000000000000000000',
      ],
    ] as const) {
      expect((await call(acme, 'GET', path)).status, path).toBe(200);
      const foreign = await call(globex, 'GET', path);
      const absent = await call(globex, 'GET', missing);
      expect(foreign.status, path).toBe(404);
      expect(absent.status).toBe(404);
      // The same answer as for an id that does not exist, but for the id itself.
      const id = path.slice(path.lastIndexOf('/') + 1);
      const absentId = missing.slice(missing.lastIndexOf('/') + 1);
      expect(foreign.text.replaceAll(id, '<id>')).toBe(absent.text.replaceAll(absentId, '<id>'));
    }
  });

  it('hits the request limit with a 429 in OpenAI’s shape and rate-limit headers', async () => {
    // One request used above; three more fit in the minute.
    for (let i = 0; i < 3; i++) {
      const ok = await call(acme, 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('4');
    }
    const refused = await call(acme, 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/s$/);
  });

  it('hits the budget: insufficient_quota once the day’s spend is past it', async () => {
    // gpt-4o: 1000 input × $2.5 + 1000 output × $10 per million = $0.0125, past the $0.001 budget.
    expect((await call(globex, 'POST', '/v1/responses', { model: 'gpt-4o', input: 'hi' })).status).toBe(200);
    const refused = await call(globex, 'POST', '/v1/responses', { model: 'gpt-4o', input: 'hi' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
  });

  it('shows the traffic in `rgw usage` and /metrics', async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const table = await rgw('usage', '--by', 'tenant', '--since', '1h');
    expect(table).toMatch(/^tenant\s+requests/m);
    expect(table).toMatch(/^acme\s+4\s+4000\s/m);
    expect(table).toMatch(/^globex\s+1\s+1000\s+0\s+1000\s.*0\.012500/m);
    const byModel = await call(ADMIN_KEY, 'GET', '/admin/usage?group_by=model&since=1h');
    expect(byModel.body.data).toContainEqual(expect.objectContaining({ group: 'gpt-4o-mini', requests: 4 }));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /rgw_http_requests_total\{route="\/v1\/responses",method="POST",status="429",model="gpt-4o-mini"\} 1/,
    );
    expect(metrics).toMatch(/rgw_tokens_total\{model="gpt-4o",provider="up",kind="output"\} 1000/);
  });

  it('reloads a changed config on SIGHUP without dropping a running stream', async () => {
    mock.defaultReply = slowReply(25);
    const { key } = (await call(ADMIN_KEY, 'POST', '/admin/keys', { tenant: 'acme', name: 'reload' })).body;
    const stream = call(key, 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'long', stream: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(
      join(dir, 'gateway.config.yaml'),
      configYaml(
        'aliases:\n  fast: { targets: [up/gpt-4o-mini] }\nlimits:\n  tenants:\n    acme: { rpm: 50 }\n',
      ),
    );
    server.kill('SIGHUP');
    const done = await stream;
    expect(done.status).toBe(200);
    expect(done.text).toContain('event: response.completed');
    expect(done.text).toContain('w24 ');
    const models = await call(key, 'GET', '/v1/models');
    expect(models.body.data.map((m: { id: string }) => m.id)).toContain('fast');
    const limited = await call(key, 'POST', '/v1/responses', { model: 'fast', input: 'hi' });
    expect(limited.status).toBe(200);
    expect(output).toContain('configuration reloaded');
  });

  it('finishes a running stream on SIGTERM, then exits', async () => {
    mock.defaultReply = slowReply(20);
    const { key } = (await call(ADMIN_KEY, 'POST', '/admin/keys', { tenant: 'acme', name: 'term' })).body;
    const stream = call(key, 'POST', '/v1/responses', { model: 'gpt-4o-mini', input: 'long', stream: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    const done = await stream;
    expect(done.text).toContain('event: response.completed');
    expect(await exited).toBe(0);
    // Every log line is JSON, and none carries a key.
    expect(output).not.toContain(acme);
    expect(output).not.toContain(ADMIN_KEY);
    expect(
      output
        .trim()
        .split('\n')
        .every((line) => line.startsWith('{')),
    ).toBe(true);
  });
});
