/**
 * Codex CLI (`@openai/codex`, the binary shipped in its npm package) against the gateway: `codex
 * exec` with a custom model provider (`wire_api = "responses"`) in a temporary CODEX_HOME. The mock
 * model calls Codex's shell tool to read a file in a temporary directory, then answers with what
 * the tool returned; Codex prints that answer. A recording proxy between Codex and the gateway shows
 * what Codex sent (store:false, encrypted reasoning, prompt_cache_key, client_metadata, namespace
 * and web_search tools) and that the gateway accepted all of it. Then Codex's default tool set at
 * work: web_search on (the gateway runs it against a fake SearXNG on 127.0.0.1) and an MCP server
 * configured (Codex runs its tools itself; the gateway sees them as functions).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { type FakeWeb, K7_FACT, startFakeWeb } from '../mocks/fake-web.js';
import { type McpTestServer, startMcpTestServer } from '../tools/mcp/mcp-test-server.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';
import { type Body, lastMessage, toolNames } from './scripted-replies.js';

const CODEX_TIMEOUT_MS = 60_000;
const codexBin = createRequire(import.meta.url).resolve('@openai/codex/bin/codex.js');

/** Why Codex cannot run here (binary missing or crashing), or undefined when it can. */
function codexUnavailable(): string | undefined {
  const probe = spawnSync(process.execPath, [codexBin, '--version'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status === 0 && /codex-cli \d/.test(probe.stdout)) return undefined;
  return `codex --version failed (status ${probe.status}, ${probe.error?.message ?? probe.stderr.trim()})`;
}
const unavailable = codexUnavailable();

interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCodex(args: string[], env: Record<string, string>): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codexBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`codex exec did not finish within ${CODEX_TIMEOUT_MS} ms\n${stderr}`));
    }, CODEX_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const SHELL_TOOLS = ['exec_command', 'shell_command', 'shell'];

/** A Codex home whose config points at `baseUrl`, plus `extra` config lines. */
function codexHome(baseUrl: string, extra: string[] = []): string {
  const home = mkdtempSync(join(tmpdir(), 'rgw-codex-home-'));
  writeFileSync(
    join(home, 'config.toml'),
    [
      'model = "gpt-5-codex"',
      'model_provider = "gw"',
      'approval_policy = "never"',
      // Codex's own read-only sandbox runs commands through bwrap and its codex-linux-sandbox
      // helper, which the npm package does not ship: with bubblewrap installed (the
      // code_interpreter sandbox needs it) every command would fail. The test is about the
      // gateway, so Codex runs its command unsandboxed in a scratch directory.
      'sandbox_mode = "danger-full-access"',
      'check_for_update_on_startup = false',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[model_providers.gw]',
      'name = "responses-gateway"',
      `base_url = "${baseUrl}/v1"`,
      'wire_api = "responses"',
      'env_key = "RGW_CODEX_TEST_KEY"',
      '',
      ...extra,
    ].join('\n'),
  );
  return home;
}

const execArgs = (work: string, prompt: string) => [
  'exec',
  '--skip-git-repo-check',
  '--strict-config',
  '--ephemeral',
  '--color',
  'never',
  '-C',
  work,
  prompt,
];

const codexEnv = (home: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  CODEX_HOME: home,
  RGW_CODEX_TEST_KEY: TEST_KEY,
  NO_COLOR: '1',
});

/** The model: run `cat secret.txt` with whichever shell tool Codex offers, then quote the result. */
function codexModel(body: Body): MockReply {
  const last = lastMessage(body);
  if (last?.role === 'tool') {
    const token = /SECRET-[0-9a-f]+/.exec(String(last.content))?.[0] ?? 'no secret in the tool output';
    return { kind: 'text', text: `The file says ${token}.`, reasoning: 'The tool printed the file.' };
  }
  const shell = SHELL_TOOLS.find((name) => toolNames(body).includes(name));
  if (shell === undefined) return { kind: 'text', text: `no shell tool among ${toolNames(body).join(', ')}` };
  const args = shell === 'exec_command' ? { cmd: 'cat secret.txt' } : { command: ['cat', 'secret.txt'] };
  return {
    kind: 'text',
    text: '',
    reasoning: 'I should read the file.',
    toolCalls: [{ id: 'call_codex_1', name: shell, arguments: JSON.stringify(args) }],
  };
}

describe.skipIf(unavailable !== undefined)(
  `Codex CLI exec through the gateway${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let harness: Harness;
    let proxy: RecordingProxy;
    let home: string;
    let work: string;

    beforeAll(async () => {
      harness = await startHarness();
      harness.mock.defaultReply = codexModel;
      proxy = await startRecordingProxy(harness.url);
      home = codexHome(proxy.url);
      work = mkdtempSync(join(tmpdir(), 'rgw-codex-work-'));
    });
    afterAll(async () => {
      await proxy?.close();
      await harness?.close();
      for (const dir of [home, work]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(
      'reads a file with its shell tool and prints the answer',
      async () => {
        const secret = `SECRET-${randomBytes(6).toString('hex')}`;
        writeFileSync(join(work, 'secret.txt'), `${secret}\n`);
        const run = await runCodex(
          execArgs(work, 'Read secret.txt and tell me what it says.'),
          codexEnv(home),
        );
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain(`The file says ${secret}.`);

        // Everything Codex sent was accepted.
        const calls = proxy.calls.filter((call) => call.method === 'POST' && call.path === '/v1/responses');
        expect(calls.length).toBeGreaterThanOrEqual(2);
        expect(proxy.calls.map((call) => call.status)).toEqual(proxy.calls.map(() => 200));
        const first = calls[0]!.body;
        expect(first).toMatchObject({
          stream: true,
          store: false,
          include: ['reasoning.encrypted_content'],
          prompt_cache_key: expect.any(String),
          client_metadata: expect.any(Object),
        });
        const toolTypes = first.tools.map((tool: Body) => tool.type);
        expect(toolTypes).toContain('web_search');
        expect(toolTypes).toContain('namespace');

        // The second turn replays the gateway-sealed reasoning, the call and its output, statelessly.
        const second = calls[1]!.body;
        expect(second.previous_response_id).toBeUndefined();
        const replayed = second.input.map((item: Body) => item.type);
        expect(replayed).toEqual(
          expect.arrayContaining(['reasoning', 'function_call', 'function_call_output']),
        );
        const reasoning = second.input.find((item: Body) => item.type === 'reasoning');
        expect(reasoning.encrypted_content).toMatch(/^rgw1\./);

        // What the upstream got: web_search dropped (no backend), namespace tools flattened, the
        // shell output as a tool message, the cache key passed on.
        const upstream = harness.mock.requests.map((request) => request.body);
        expect(upstream).toHaveLength(calls.length);
        const upstreamTools = toolNames(upstream[0]);
        expect(upstreamTools).not.toContain('web_search');
        expect(upstreamTools).toEqual(expect.arrayContaining(['exec_command', 'spawn_agent']));
        expect(upstream[0].prompt_cache_key).toBe(first.prompt_cache_key);
        expect(String(lastMessage(upstream[1]).content)).toContain(secret);
      },
      CODEX_TIMEOUT_MS + 10_000,
    );

    it(
      'answers with --output-schema (structured output), reporting reasoning tokens (--json)',
      async () => {
        harness.mock.reset();
        harness.mock.defaultReply = {
          kind: 'text',
          text: '{"answer":"forty-two"}',
          reasoning: 'Raw thoughts.',
        };
        const schema = join(work, 'schema.json');
        writeFileSync(
          schema,
          JSON.stringify({
            type: 'object',
            properties: { answer: { type: 'string' } },
            required: ['answer'],
            additionalProperties: false,
          }),
        );
        const run = await runCodex(
          [
            'exec',
            '--skip-git-repo-check',
            '--strict-config',
            '--ephemeral',
            '--json',
            '--output-schema',
            schema,
            '-C',
            work,
            'Answer in JSON.',
          ],
          {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            CODEX_HOME: home,
            RGW_CODEX_TEST_KEY: TEST_KEY,
          },
        );
        expect(run.code, run.stderr).toBe(0);
        const events = run.stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line));
        const message = events.find((e) => e.type === 'item.completed' && e.item.type === 'agent_message');
        expect(JSON.parse(message.item.text)).toEqual({ answer: 'forty-two' });
        const turn = events.find((e) => e.type === 'turn.completed');
        expect(turn.usage.reasoning_output_tokens).toBeGreaterThan(0);

        expect(proxy.calls.at(-1)!.status).toBe(200);
        expect(proxy.calls.at(-1)!.body.text.format).toMatchObject({ type: 'json_schema', strict: true });
        expect(harness.mock.requests.at(-1)!.body.response_format).toMatchObject({
          type: 'json_schema',
          json_schema: { name: 'codex_output_schema', strict: true },
        });
      },
      CODEX_TIMEOUT_MS + 10_000,
    );
  },
);

/**
 * The model of the default-tools run: search the web (the gateway's web_search), then add two
 * numbers with the MCP server's tool (Codex's), then answer with both results.
 */
const text = (content: unknown): string =>
  Array.isArray(content) ? content.map((part: Body) => part.text ?? '').join('') : String(content);

function toolsModel(body: Body): MockReply {
  const told = (Array.isArray(body.messages) ? body.messages : []).filter((m: Body) => m.role === 'tool');
  const names = toolNames(body);
  // Codex offers an MCP server's tools in a namespace of its own; the upstream sees them flattened.
  const add = names.find((name) => name === 'add' || name.endsWith('__add'));
  if (told.length === 0) {
    return {
      kind: 'text',
      text: '',
      toolCalls: [
        {
          id: 'call_ws',
          name: 'web_search',
          arguments: JSON.stringify({ action: 'search', query: 'K7 error E42' }),
        },
      ],
    };
  }
  if (told.length === 1) {
    if (add === undefined) return { kind: 'text', text: `no MCP add tool among ${names.join(', ')}` };
    return {
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_add', name: add, arguments: '{"a":19,"b":23}' }],
    };
  }
  // Codex keeps nothing (store: false): the search replays as what was searched for, not its text.
  const found = text(told[0].content).includes('K7 error E42') ? 'the page explains E42' : 'nothing found';
  const sum = /\b42\b/.test(text(told[1].content)) ? '42' : `no sum in ${text(told[1].content)}`;
  return { kind: 'text', text: `Searched: ${found} 【1】. Sum: ${sum}.` };
}

describe.skipIf(unavailable !== undefined)(
  `Codex CLI with its default tools: web_search on, an MCP server configured${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let web: FakeWeb;
    let mcp: McpTestServer;
    let harness: Harness;
    let proxy: RecordingProxy;
    let home: string;
    let work: string;

    beforeAll(async () => {
      web = await startFakeWeb();
      mcp = await startMcpTestServer();
      harness = await startHarness({ config: { webSearch: { searxngUrl: web.url } } });
      harness.mock.defaultReply = toolsModel;
      proxy = await startRecordingProxy(harness.url);
      home = codexHome(proxy.url, ['[mcp_servers.numbers]', `url = "${mcp.url}"`, '']);
      work = mkdtempSync(join(tmpdir(), 'rgw-codex-work-'));
    });
    afterAll(async () => {
      await proxy?.close();
      await harness?.close();
      await mcp?.close();
      await web?.close();
      for (const dir of [home, work]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(
      'searches through the gateway, calls the MCP tool itself and prints the cited answer',
      async () => {
        const run = await runCodex(
          execArgs(work, 'What does E42 mean, and what is 19 + 23?'),
          codexEnv(home),
        );
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout, run.stderr).toContain('Searched: the page explains E42');
        expect(run.stdout).toContain('Sum: 42.');
        expect(proxy.calls.map((call) => call.status)).toEqual(proxy.calls.map(() => 200));

        // The gateway ran the search: the fake SearXNG was asked, the model saw a web_search function.
        expect(web.requests.some((line) => line.startsWith('GET /search'))).toBe(true);
        const calls = proxy.calls.filter((call) => call.method === 'POST' && call.path === '/v1/responses');
        expect(calls[0]!.body.tools.map((tool: Body) => tool.type)).toContain('web_search');
        const upstream = harness.mock.requests.map((request) => request.body);
        expect(toolNames(upstream[0])).toContain('web_search');
        // Within the response the model read the page's text, as the tool gave it.
        expect(text(lastMessage(upstream[1]).content)).toContain(K7_FACT);
        // Codex ran the MCP tool against the server itself and sent its output back.
        expect(mcp.calls).toEqual([{ name: 'add', args: { a: 19, b: 23 } }]);
        const replayed = calls.at(-1)!.body.input.map((item: Body) => item.type);
        expect(replayed).toEqual(
          expect.arrayContaining(['web_search_call', 'function_call', 'function_call_output']),
        );
      },
      CODEX_TIMEOUT_MS + 10_000,
    );
  },
);
