/**
 * The one way tests start a gateway: a real one on 127.0.0.1 (ephemeral port, in-memory store),
 * configured from env as the CLI would be (plus validated config values), and requests to it
 * carrying the test bearer. The chat harness and the provider gateway add their upstreams on top.
 */
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { type ConfigInput, configSchema } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createGateway, createLogger, type Gateway, type GatewayExtras } from '../../src/gateway.js';
import type { JsonBody } from './json-body.js';
import { parseSse, type SseEvent } from './sse.js';

export const TEST_KEY = 'test-key';

export interface JsonResult {
  status: number;
  headers: Headers;
  /** Parsed JSON (the raw text when it is not JSON). */
  body: JsonBody;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  raw: string;
  /** Parsed events of a 200 (none otherwise). */
  events: SseEvent[];
  /** The `data` of each event. */
  data: JsonBody[];
  types: string[];
}

export interface TestGateway {
  gateway: Gateway;
  /** Gateway root, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Gateway base URL for SDKs, ending in /v1. */
  baseURL: string;
  /** POSTs JSON (a string body goes as it is) with the test bearer. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<JsonResult>;
  get(path: string, headers?: Record<string, string>): Promise<JsonResult>;
  /** POSTs a streaming create and reads the whole event stream. */
  stream(body: Record<string, unknown>): Promise<StreamResult>;
  close(): Promise<void>;
}

/** Starts a gateway from `env` (over an in-memory store) and extra config values, validated. */
export async function startTestGateway(
  env: Record<string, string>,
  config?: Partial<ConfigInput>,
  extras?: GatewayExtras,
): Promise<TestGateway> {
  const loaded = loadConfig(
    { port: 0, host: '127.0.0.1', logLevel: 'silent' },
    { RGW_DB: ':memory:', ...env },
  );
  const gateway = createGateway(
    config ? configSchema.parse({ ...loaded, ...config }) : loaded,
    createLogger('silent'),
    extras,
  );
  const url = await gateway.start();
  const target = { url, baseURL: `${url}/v1` };
  return {
    gateway,
    ...target,
    post: (path, body, headers) => request(url, 'POST', path, body, headers),
    get: (path, headers) => request(url, 'GET', path, undefined, headers),
    stream: (body) => postStream(target, body),
    close: () => gateway.close(),
  };
}

/** An openai SDK client for the gateway: the test key, no retries, a 10 s timeout. */
export function sdkClient(target: { baseURL: string }): OpenAI {
  return new OpenAI({ baseURL: target.baseURL, apiKey: TEST_KEY, maxRetries: 0, timeout: 10_000 });
}

/** POSTs a streaming create to `{baseURL}/responses` and reads the whole event stream. */
export async function postStream(
  target: { baseURL: string },
  body: Record<string, unknown>,
): Promise<StreamResult> {
  const response = await fetch(`${target.baseURL}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const raw = await response.text();
  const events = response.status === 200 ? parseSse(raw) : [];
  return {
    status: response.status,
    headers: response.headers,
    raw,
    events,
    data: events.map((e) => e.data),
    types: events.map((e) => e.event),
  };
}

/** Starts a streaming create and hangs up (destroying the socket) once the first bytes arrive. */
export function streamThenHangUp(target: { baseURL: string }, body: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${target.baseURL}/responses`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end(JSON.stringify({ ...body, stream: true }));
  });
}

async function request(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResult> {
  const response = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${TEST_KEY}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed };
}
