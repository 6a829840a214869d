/**
 * The systems compared, each started as its own process on the same mock upstream, and the request
 * each one is sent for the same work.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchScripts } from './compile.js';
import { ROOT } from './compile.js';
import type { Target } from './load/spec.js';
import { freePort, ServerProcess, SUT_CPU } from './processes.js';

export type SystemName = 'mock' | 'bare' | 'gateway' | 'stored' | 'portkey';

export interface SystemContext {
  scripts: BenchScripts;
  /** The mock upstream's root, e.g. http://127.0.0.1:1234 */
  mockOrigin: string;
  /** The gateway's entry point: dist/cli/main.js, or another build given with --gateway. */
  gatewayEntry: string;
  /** Extra `node` flags for the gateway (e.g. --cpu-prof). */
  gatewayNodeFlags: string[];
}

export interface RequestOptions {
  model: string;
  stream: boolean;
  /** Responses `store`; systems that store nothing ignore it. */
  store?: boolean;
}

export interface SystemUnderTest {
  name: SystemName;
  /** What is compared, for the table's notes. */
  label: string;
  /** Why it cannot run here, or undefined. */
  unavailable(ctx: SystemContext): string | undefined;
  start(ctx: SystemContext): Promise<{ process: ServerProcess | undefined; origin: string }>;
  target(origin: string, ctx: SystemContext, options: RequestOptions): Target;
  /** How a multi-turn conversation goes through it. */
  chain(
    origin: string,
    ctx: SystemContext,
  ): { path: string; headers: Record<string, string>; mode: 'previous_response_id' | 'chat-history' };
}

const PROMPT = 'Say hello in one short sentence.';
export const GATEWAY_KEY = 'bench-key';
const PORTKEY_ENTRY = join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js');
export const GATEWAY_ENTRY = join(ROOT, 'dist/cli/main.js');

function responsesBody(options: RequestOptions): string {
  return JSON.stringify({
    model: options.model,
    input: PROMPT,
    store: options.store ?? false,
    ...(options.stream ? { stream: true } : {}),
  });
}

function chatBody(options: RequestOptions): string {
  return JSON.stringify({
    model: options.model,
    messages: [{ role: 'user', content: PROMPT }],
    ...(options.stream ? { stream: true } : {}),
  });
}

const mock: SystemUnderTest = {
  name: 'mock',
  label: 'the mock upstream alone (Chat Completions), the baseline of "added" rows',
  unavailable: () => undefined,
  start: async (ctx) => ({ process: undefined, origin: ctx.mockOrigin }),
  target: (origin, _ctx, options) => ({
    origin,
    path: '/v1/chat/completions',
    headers: {},
    body: chatBody(options),
  }),
  chain: () => ({ path: '/v1/chat/completions', headers: {}, mode: 'chat-history' }),
};

const bare: SystemUnderTest = {
  name: 'bare',
  label: 'node:http + undici Pool, forwards the POST /v1/responses body to Chat Completions as it is',
  unavailable: () => undefined,
  async start(ctx) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const process = await ServerProcess.start({
      name: 'bare proxy',
      args: ['--import', ctx.scripts.probe, ctx.scripts.bareProxy],
      env: { PORT: String(port), UPSTREAM: ctx.mockOrigin },
      cpu: SUT_CPU,
      readyUrl: `${origin}/`,
    });
    return { process, origin };
  },
  target: (origin, _ctx, options) => ({
    origin,
    path: '/v1/responses',
    headers: {},
    body: responsesBody(options),
  }),
  // A plain proxy keeps no state: the client resends the conversation.
  chain: () => ({ path: '/v1/chat/completions', headers: {}, mode: 'chat-history' }),
};

const gateway: SystemUnderTest = {
  name: 'gateway',
  label: 'responses-gateway (dist/cli/main.js serve): POST /v1/responses translated to Chat Completions',
  unavailable: (ctx) =>
    existsSync(ctx.gatewayEntry) ? undefined : `${ctx.gatewayEntry} is missing: npm run build`,
  async start(ctx) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    // A scratch directory: no gateway.config.yaml is picked up and the store starts empty.
    const cwd = mkdtempSync(join(tmpdir(), 'rgw-bench-'));
    const process = await ServerProcess.start({
      name: 'gateway',
      args: [...ctx.gatewayNodeFlags, '--import', ctx.scripts.probe, ctx.gatewayEntry, 'serve'],
      env: {
        OPENAI_BASE_URL: `${ctx.mockOrigin}/v1`,
        OPENAI_API_KEY: 'bench-upstream-key',
        RGW_API_KEYS: GATEWAY_KEY,
        RGW_LOG_LEVEL: 'warn',
        RGW_HOST: '127.0.0.1',
        RGW_PORT: String(port),
        RGW_DB: join(cwd, 'gateway.db'),
      },
      cwd,
      cpu: SUT_CPU,
      readyUrl: `${origin}/healthz`,
    });
    return { process, origin };
  },
  target: (origin, _ctx, options) => ({
    origin,
    path: '/v1/responses',
    headers: { authorization: `Bearer ${GATEWAY_KEY}` },
    body: responsesBody(options),
  }),
  chain: () => ({
    path: '/v1/responses',
    headers: { authorization: `Bearer ${GATEWAY_KEY}` },
    mode: 'previous_response_id',
  }),
};

/**
 * The same gateway build on its default path: `store: true` on every request (the response, its
 * items and, for a stream, its event log are kept).
 */
const stored: SystemUnderTest = {
  ...gateway,
  name: 'stored',
  label: 'responses-gateway as above, every request with store: true (its default)',
  target: (origin, ctx, options) => gateway.target(origin, ctx, { ...options, store: true }),
};

function portkeyHeaders(ctx: SystemContext): Record<string, string> {
  return {
    authorization: 'Bearer bench-upstream-key',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${ctx.mockOrigin}/v1`,
  };
}

const portkey: SystemUnderTest = {
  name: 'portkey',
  label:
    '@portkey-ai/gateway 1.15.2 (node build/start-server.js --headless), POST /v1/chat/completions pass-through: ' +
    'it has no Responses-to-Chat translation (its /v1/responses forwards to the upstream /responses)',
  unavailable: () =>
    existsSync(PORTKEY_ENTRY)
      ? undefined
      : `${PORTKEY_ENTRY} is missing: npm ci installs @portkey-ai/gateway`,
  async start(ctx) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const process = await ServerProcess.start({
      name: 'portkey',
      args: ['--import', ctx.scripts.probe, PORTKEY_ENTRY, `--port=${port}`, '--headless'],
      env: { NODE_ENV: 'production' },
      cpu: SUT_CPU,
      readyUrl: `${origin}/`,
    });
    return { process, origin };
  },
  target: (origin, ctx, options) => ({
    origin,
    path: '/v1/chat/completions',
    headers: portkeyHeaders(ctx),
    body: chatBody(options),
  }),
  chain: (_origin, ctx) => ({
    path: '/v1/chat/completions',
    headers: portkeyHeaders(ctx),
    mode: 'chat-history',
  }),
};

export const SYSTEMS: Record<SystemName, SystemUnderTest> = { mock, bare, gateway, stored, portkey };
