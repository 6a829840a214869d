/** Starts a real gateway on 127.0.0.1 (ephemeral port) in front of a scripted mock upstream. */

import { type ConfigInput, configSchema } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createGateway, createLogger, type Gateway } from '../../src/gateway.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';

export interface Harness {
  gateway: Gateway;
  mock: MockChatUpstream;
  /** Gateway root, e.g. http://127.0.0.1:1234 */
  url: string;
  /** Gateway base URL for SDKs, ending in /v1. */
  baseURL: string;
  /** POSTs JSON with the test bearer and returns status, headers and parsed body. */
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra env, as the CLI would see it (e.g. RGW_API_KEYS). */
  env?: Record<string, string>;
  /**
   * Extra config values, over what env gives (validated, so defaults apply); a function receives the
   * mock, e.g. to point a provider with its own settings at it.
   */
  config?: Partial<ConfigInput> | ((mock: MockChatUpstream) => Partial<ConfigInput>);
}

export const TEST_KEY = 'test-key';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mock = await startMockChatUpstream();
  const config = loadConfig(
    { port: 0, host: '127.0.0.1', logLevel: 'silent' },
    { OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'upstream-key', RGW_DB: ':memory:', ...options.env },
  );
  const extra = typeof options.config === 'function' ? options.config(mock) : options.config;
  const merged = extra ? configSchema.parse({ ...config, ...extra }) : config;
  const gateway = createGateway(merged, createLogger('silent'));
  const url = await gateway.start();
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
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
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
  return {
    gateway,
    mock,
    url,
    baseURL: `${url}/v1`,
    post: (path, body, headers) => request('POST', path, body, headers),
    get: (path, headers) => request('GET', path, undefined, headers),
    async close() {
      await gateway.close();
      await mock.close();
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Parses a raw `text/event-stream` body into its events (checks the LF-only framing). */
export function parseSse(text: string): SseEvent[] {
  if (text.includes('\r')) throw new Error('SSE stream contains CR characters');
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}
