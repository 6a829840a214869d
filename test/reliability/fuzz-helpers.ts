/**
 * The pieces the request fuzzers share: one keep-alive client for the gateway, the check every
 * answer must pass (no 5xx, the OpenAI envelope for every error, a stream that ends), and
 * arbitraries that mutate valid bodies the way clients get them wrong.
 */
import fc from 'fast-check';
import { Pool } from 'undici';
import { expect } from 'vitest';

export interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** No request may take longer than this; a slower one counts as a hang. */
const HANG_MS = 15_000;

export const STATS = new Map<string, number>();

export class FuzzClient {
  private readonly pool: Pool;

  constructor(
    origin: string,
    private readonly key: string,
  ) {
    this.pool = new Pool(origin, { connections: 8, headersTimeout: HANG_MS, bodyTimeout: HANG_MS });
  }

  async send(sent: Sent): Promise<Answer> {
    const response = await this.pool.request({
      method: sent.method as 'GET',
      path: sent.path,
      headers: { authorization: `Bearer ${this.key}`, ...sent.headers },
      body: sent.body,
    });
    const text = await response.body.text();
    if (process.env.FUZZ_STATS) {
      const k = `${sent.method} ${sent.path
        .split('?')[0]!
        .replace(/[a-z]+_[0-9a-f]{20,}/g, ':id')
        .slice(0, 60)} ${response.statusCode}`;
      STATS.set(k, (STATS.get(k) ?? 0) + 1);
    }
    return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), text };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** What every answer to any request must be. Returns the parsed body. */
export function expectWellFormed(sent: Sent, answer: Answer): unknown {
  const what = `${sent.method} ${sent.path.slice(0, 200)} → ${answer.status}: ${answer.text.slice(0, 300)}`;
  expect(answer.status, what).toBeGreaterThanOrEqual(200);
  expect(answer.status, what).toBeLessThan(500);
  if (answer.contentType.startsWith('text/event-stream')) {
    // A stream ends with a terminal event (or an error event), never in the middle.
    expect(answer.text, what).toMatch(
      /event: (response\.(completed|incomplete|failed)|error)\ndata: .*\n\n$/s,
    );
    return undefined;
  }
  if (answer.status === 204 || (answer.status < 300 && !answer.contentType.includes('json')))
    return undefined;
  expect(answer.contentType, what).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  if (answer.status >= 400) {
    expect(Object.keys(body), what).toEqual(['error']);
    const error = body.error as Record<string, unknown>;
    expect(Object.keys(error).sort(), what).toEqual(['code', 'message', 'param', 'type']);
    expect(typeof error.message, what).toBe('string');
    expect(error.message, what).not.toBe('');
    expect(typeof error.type, what).toBe('string');
    // A framework's own wording must not leak through.
    expect(error.message as string, what).not.toMatch(/FST_|Route .* not found|Unexpected token/);
  }
  return body;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One edit of a JSON value: what a confused or hostile client sends instead of a field. */
export interface Mutation {
  /** Which child to walk into at each level (taken modulo the number of children). */
  path: number[];
  action: 'replace' | 'delete' | 'add' | 'wrap' | 'stringify';
  value: Json;
  key: string;
}

const awkwardStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFFFF\uD800',
  'a'.repeat(70_000),
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: sent as it is, to see it is not evaluated
  '${process.env.OPENAI_API_KEY}',
  '<script>alert(1)</script>',
  "'; DROP TABLE responses; --",
  'resp_' + '0'.repeat(48),
  'vs_../x',
  '%2e%2e%2f',
  '1e309',
  '-0',
  'NaN',
);

export const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: awkwardStrings },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(
      -1,
      0,
      2 ** 53,
      -(2 ** 63),
      1e308,
      0.5,
      [],
      {},
      [[[[[[[[[[[]]]]]]]]]]],
      { type: 'message' },
      { type: 'function_call_output' },
      { type: 'input_image', image_url: 'http://169.254.169.254/latest/meta-data/' },
      { type: 'input_file', file_url: 'file:///etc/passwd' },
    ),
  },
);

const KEYS = [
  'type',
  'model',
  'input',
  'tools',
  'role',
  'content',
  'id',
  'text',
  'format',
  'stream',
  '__proto__',
  'constructor',
];

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 50 }), { maxLength: 5 }),
  action: fc.constantFrom('replace', 'replace', 'delete', 'add', 'wrap', 'stringify'),
  value: jsonValue,
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
});

/** `value` with the mutation applied (a deep copy; the original is untouched). */
export function mutate(value: Json, edit: Mutation): Json {
  const root = structuredClone(value);
  const apply = (node: Json, depth: number): Json => {
    const children = node !== null && typeof node === 'object' ? Object.keys(node) : [];
    if (depth === edit.path.length || children.length === 0) {
      switch (edit.action) {
        case 'replace':
          return edit.value;
        case 'wrap':
          return [node];
        case 'stringify':
          return JSON.stringify(node);
        case 'add':
          if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
            return { ...node, [edit.key]: edit.value };
          }
          return Array.isArray(node) ? [...node, edit.value] : edit.value;
        case 'delete':
          return Array.isArray(node) ? node.slice(1) : null;
      }
    }
    const key = children[edit.path[depth]! % children.length]!;
    const container = node as Record<string, Json>;
    if (edit.action === 'delete' && depth === edit.path.length - 1) {
      if (Array.isArray(container)) (container as Json[]).splice(Number(key), 1);
      else delete container[key];
      return node;
    }
    container[key] = apply(container[key]!, depth + 1);
    return node;
  };
  return apply(root, 0);
}

/** A body as bytes that are not what the content type says. */
export const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    '{"model":',
    '[]',
    'null',
    '"x"',
    '1',
    '{"model":"gpt-test","input":"hi"',
    '{"model":"gpt-test","input":"hi"}}',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
    '{"model":"gpt-test","input":"\\ud800"}',
    '{"__proto__":{"polluted":true},"model":"gpt-test","input":"hi"}',
  ),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
);
