/**
 * A real gateway on 127.0.0.1 (ephemeral port, in-memory store) configured from env only, for the
 * provider end-to-end tests (Anthropic, Gemini): each test file points it at its own mock upstream.
 */
import OpenAI from 'openai';
import { loadConfig } from '../../src/config/load-config.js';
import { createGateway, createLogger, type Gateway } from '../../src/gateway.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed wire JSON, read freely by tests
export type Any = any;

export interface ProviderGateway {
  gateway: Gateway;
  /** Gateway base URL for SDKs, ending in /v1. */
  baseURL: string;
  client: OpenAI;
  /** POSTs JSON and returns status, headers and parsed body. */
  post(path: string, body: unknown): Promise<{ status: number; headers: Headers; body: Any }>;
  /** POSTs a streaming create and returns the parsed events. */
  stream(body: Record<string, unknown>): Promise<{ status: number; raw: string; events: SseEvent[] }>;
  close(): Promise<void>;
}

export interface SseEvent {
  event: string;
  data: Any;
}

export async function startProviderGateway(env: Record<string, string>): Promise<ProviderGateway> {
  const config = loadConfig(
    { port: 0, host: '127.0.0.1', logLevel: 'silent', db: ':memory:' },
    { RGW_CONFIG: undefined, ...env },
  );
  const gateway = await createGateway(config, createLogger('silent'));
  const url = await gateway.start();
  const baseURL = `${url}/v1`;
  const headers = { authorization: 'Bearer test-key', 'content-type': 'application/json' };
  return {
    gateway,
    baseURL,
    client: new OpenAI({ baseURL, apiKey: 'test-key', maxRetries: 0 }),
    async post(path, body) {
      const response = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async stream(body) {
      const response = await fetch(`${baseURL}/responses`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...body, stream: true }),
      });
      const raw = await response.text();
      return { status: response.status, raw, events: response.status === 200 ? parseSse(raw) : [] };
    },
    close: () => gateway.close(),
  };
}

export function parseSse(text: string): SseEvent[] {
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

/** Event types with runs of one delta type collapsed to `type×n`. */
export function collapse(events: readonly SseEvent[]): string[] {
  const out: string[] = [];
  for (const { event } of events) {
    const last = out.at(-1);
    if (event.endsWith('.delta') && last?.startsWith(event)) {
      const n = last.includes('×') ? Number(last.split('×')[1]) + 1 : 2;
      out[out.length - 1] = `${event}×${n}`;
    } else {
      out.push(event);
    }
  }
  return out;
}
