/**
 * Property-based fuzzing of the HTTP API (fast-check, over 10,000 requests): mutated valid bodies
 * for every JSON endpoint, bytes that are not JSON, random paths and query strings, odd headers.
 * Every answer is a 2xx or a 4xx in OpenAI's error envelope — never a 5xx, a hang, a crash or a
 * framework's own body — and another tenant's data, whose ids the fuzzer also throws in, is
 * neither shown nor changed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { uploadFile } from '../vector-stores/retrieval-helpers.js';
import {
  expectWellFormed,
  FuzzClient,
  jsonValue,
  mutate,
  mutation,
  rawBody,
  type Sent,
  STATS,
} from './fuzz-helpers.js';

type Json = Parameters<typeof mutate>[0];
type Ids = Record<'resp' | 'conv' | 'item' | 'file' | 'vs' | 'batch' | 'cntr', string>;

/** JSON endpoints with a valid body each; `:name` is filled with an id of the right kind. */
const JSON_ENDPOINTS: Array<{ path: string; body: Json }> = [
  { path: '/v1/responses', body: { model: 'gpt-test', input: 'Hello' } },
  {
    path: '/v1/responses',
    body: {
      model: 'gpt-test',
      instructions: 'Be brief.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
        { type: 'function_call', call_id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
      ],
      tools: [{ type: 'function', name: 'weather', parameters: { type: 'object', properties: {} } }],
      tool_choice: 'auto',
      text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object', properties: {} } } },
      include: ['message.output_text.logprobs'],
      max_output_tokens: 64,
      metadata: { k: 'v' },
      store: true,
    },
  },
  { path: '/v1/responses', body: { model: 'gpt-test', input: 'Stream it', stream: true } },
  { path: '/v1/responses', body: { model: 'gpt-test', input: 'Later', background: true } },
  { path: '/v1/responses', body: { model: 'gpt-test', input: 'Next', previous_response_id: ':resp' } },
  { path: '/v1/responses', body: { model: 'gpt-test', input: 'In it', conversation: ':conv' } },
  {
    path: '/v1/responses',
    body: { model: 'gpt-test', input: 'Search', tools: [{ type: 'file_search', vector_store_ids: [':vs'] }] },
  },
  { path: '/v1/responses/input_tokens', body: { model: 'gpt-test', input: 'Count me' } },
  { path: '/v1/responses/compact', body: { model: 'gpt-test', input: 'Compact me' } },
  { path: '/v1/responses/:resp/cancel', body: {} },
  {
    path: '/v1/conversations',
    body: { items: [{ type: 'message', role: 'user', content: 'Hi' }], metadata: { topic: 'x' } },
  },
  { path: '/v1/conversations/:conv', body: { metadata: { topic: 'y' } } },
  {
    path: '/v1/conversations/:conv/items',
    body: { items: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'More' }] }] },
  },
  {
    path: '/v1/vector_stores',
    body: { name: 'docs', file_ids: [':file'], chunking_strategy: { type: 'auto' }, metadata: {} },
  },
  {
    path: '/v1/vector_stores/:vs',
    body: { name: 'renamed', expires_after: { anchor: 'last_active_at', days: 3 } },
  },
  { path: '/v1/vector_stores/:vs/files', body: { file_id: ':file', attributes: { kind: 'a' } } },
  { path: '/v1/vector_stores/:vs/files/:file', body: { attributes: { kind: 'b' } } },
  { path: '/v1/vector_stores/:vs/file_batches', body: { file_ids: [':file'] } },
  { path: '/v1/vector_stores/:vs/file_batches/:batch/cancel', body: {} },
  {
    path: '/v1/vector_stores/:vs/search',
    body: {
      query: ['policy', 'hours'],
      max_num_results: 5,
      filters: { type: 'and', filters: [{ type: 'eq', key: 'kind', value: 'a' }] },
      ranking_options: { ranker: 'auto', score_threshold: 0.1 },
    },
  },
  { path: '/v1/containers', body: { name: 'c', expires_after: { anchor: 'last_active_at', minutes: 5 } } },
];

const GET_PATHS = [
  '/v1/models',
  '/v1/models/gpt-test',
  '/v1/responses/:resp',
  '/v1/responses/:resp/input_items',
  '/v1/conversations/:conv',
  '/v1/conversations/:conv/items',
  '/v1/conversations/:conv/items/:item',
  '/v1/files',
  '/v1/files/:file',
  '/v1/files/:file/content',
  '/v1/vector_stores',
  '/v1/vector_stores/:vs',
  '/v1/vector_stores/:vs/files',
  '/v1/vector_stores/:vs/files/:file',
  '/v1/vector_stores/:vs/files/:file/content',
  '/v1/vector_stores/:vs/file_batches/:batch',
  '/v1/vector_stores/:vs/file_batches/:batch/files',
  '/v1/containers',
  '/v1/containers/:cntr',
  '/v1/containers/:cntr/files',
];

const PLACEHOLDER = /:(resp|conv|item|file|vs|batch|cntr)\b/g;

describe('fuzzing the HTTP API', () => {
  let h: Harness;
  let fuzzer: FuzzClient;
  let own: Ids;
  let keeper: Ids;
  let keeperKey: string;
  /** The keeper tenant's objects as they were before the fuzzing. */
  let before: string[];

  const fill = (text: string, ids: Ids) => text.replace(PLACEHOLDER, (_, kind: keyof Ids) => ids[kind]);
  const fillJson = (value: Json, ids: Ids): Json => JSON.parse(fill(JSON.stringify(value), ids));
  const keeperViews = async () => {
    const client = new FuzzClient(h.url, keeperKey);
    const paths = GET_PATHS.filter((path) => path.includes(':')).map((path) => fill(path, keeper));
    const views = await Promise.all(paths.map((path) => client.send({ method: 'GET', path })));
    await client.close();
    // Reading a vector store touches its last_active_at; nothing else may move.
    return views.map(
      (view, i) => `${paths[i]} ${view.status} ${view.text.replace(/"last_active_at":\d+/g, '')}`,
    );
  };

  /** Makes one of each object for a tenant, through the API. */
  const seed = async (key: string): Promise<Ids> => {
    const client = new FuzzClient(h.url, key);
    const json = async (path: string, body: Json) => {
      const answer = await client.send({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(answer.status, `${path}: ${answer.text}`).toBe(200);
      return JSON.parse(answer.text) as { id: string };
    };
    const resp = (await json('/v1/responses', { model: 'gpt-test', input: 'Seed' })).id;
    const conv = await json('/v1/conversations', {
      items: [{ type: 'message', role: 'user', content: 'Seed' }],
    });
    const items = JSON.parse(
      (await client.send({ method: 'GET', path: `/v1/conversations/${conv.id}/items` })).text,
    ) as { data: Array<{ id: string }> };
    const file = (await uploadFile(h, 'notes.md', '# Notes\n\nThe office opens at nine.', key)).body
      .id as string;
    const vs = (await json('/v1/vector_stores', { name: 'seed', file_ids: [file] })).id;
    const batch = (await json(`/v1/vector_stores/${vs}/file_batches`, { file_ids: [file] })).id;
    const cntr = (await json('/v1/containers', { name: 'seed' })).id;
    await client.close();
    return { resp, conv: conv.id, item: items.data[0]!.id, file, vs, batch, cntr };
  };

  beforeAll(async () => {
    h = await startHarness();
    h.mock.defaultReply = { kind: 'text', text: 'Fuzzed.' };
    const fuzzKey = (await createKey(h.gateway.store, { tenant: 'fuzz', name: 'fuzz' })).key;
    keeperKey = (await createKey(h.gateway.store, { tenant: 'keeper', name: 'keeper' })).key;
    keeper = await seed(keeperKey);
    own = await seed(fuzzKey);
    await h.gateway.ingestor.whenIdle();
    before = await keeperViews();
    fuzzer = new FuzzClient(h.url, fuzzKey);
  }, 60_000);
  afterAll(async () => {
    if (process.env.FUZZ_STATS)
      console.log(
        [...STATS]
          .sort()
          .map(([k, n]) => `${n}\t${k}`)
          .join('\n'),
      );
    await fuzzer?.close();
    await h?.close();
  });

  /** Sends, checks the answer, and that another tenant's object is never served. */
  const probe = async (sent: Sent, foreign: boolean) => {
    const answer = await fuzzer.send(sent);
    expectWellFormed(sent, answer);
    if (foreign)
      expect(
        answer.status,
        `${sent.method} ${sent.path}: ${answer.text.slice(0, 200)}`,
      ).toBeGreaterThanOrEqual(400);
  };
  /** Own ids mostly (to reach deep code), the keeper's sometimes (to prove isolation). */
  const idsFor = fc.constantFrom<'own' | 'keeper'>('own', 'own', 'own', 'keeper');

  it('answers 6,000 mutated JSON bodies with a result or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...JSON_ENDPOINTS),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        idsFor,
        async (endpoint, edits, whose) => {
          const ids = whose === 'own' ? own : keeper;
          const body = edits.reduce(mutate, fillJson(endpoint.body, own));
          const path = fill(endpoint.path, ids);
          const foreign = whose === 'keeper' && endpoint.path.includes(':');
          await probe(
            {
              method: 'POST',
              path,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            },
            foreign,
          );
        },
      ),
      { numRuns: 6_000 },
    );
  }, 240_000);

  it('answers 2,000 bodies that are not the JSON they claim to be', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...JSON_ENDPOINTS.map((endpoint) => endpoint.path),
          '/v1/files',
          '/v1/containers/:cntr/files',
        ),
        rawBody,
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'text/plain',
          'multipart/form-data; boundary=x',
          'multipart/form-data',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
        ),
        async (template, body, contentType) => {
          await probe(
            { method: 'POST', path: fill(template, own), headers: { 'content-type': contentType }, body },
            false,
          );
        },
      ),
      { numRuns: 2_000 },
    );
  }, 120_000);

  it('answers 1,500 random paths, methods and query strings', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'v1',
        'responses',
        'conversations',
        'items',
        'files',
        'vector_stores',
        'containers',
        'content',
      ),
      fc.constantFrom('input_items', 'cancel', 'search', 'file_batches', 'models', 'input_tokens', 'compact'),
      fc.constantFrom('..', '.', '%2e%2e', '%00', '%ZZ', '%F0%9F%92%A9', '~', 'a'.repeat(3_000), '', '%20'),
      fc.constantFrom(
        ...Object.values({ a: ':resp', b: ':conv', c: ':file', d: ':vs', e: ':cntr', f: ':item' }),
      ),
      fc.stringMatching(/^[A-Za-z0-9_\-.]{1,40}$/),
    );
    const query = fc.dictionary(
      fc.constantFrom(
        'limit',
        'order',
        'after',
        'before',
        'include[]',
        'include',
        'stream',
        'starting_after',
        'purpose',
        'filter',
        'x',
      ),
      fc.oneof(
        fc.constantFrom('-1', '0', '101', '1e3', 'asc', 'desc', 'true', 'null', '', '%00', ':resp'),
        fc.string({ maxLength: 20 }),
      ),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
        fc.tuple(
          fc.constantFrom('v1', 'v1', 'v1', '%76%31', 'V1', ''),
          fc.array(segment, { minLength: 1, maxLength: 5 }),
        ),
        query,
        idsFor,
        async (method, [root, rest], params, whose) => {
          const segments = [root, ...rest];
          const ids = whose === 'own' ? own : keeper;
          const qs = Object.entries(params)
            .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(fill(value, ids))}`)
            .join('&');
          const path = `/${segments.map((s) => fill(s, ids)).join('/')}${qs ? `?${qs}` : ''}`;
          const sent: Sent = { method, path };
          if (method === 'POST')
            Object.assign(sent, { headers: { 'content-type': 'application/json' }, body: '{}' });
          const answer = await fuzzer.send(sent);
          if (method === 'HEAD') expect(answer.status).toBeLessThan(500);
          else expectWellFormed(sent, answer);
          if (whose === 'keeper' && method === 'GET' && segments.some((s) => s.startsWith(':'))) {
            expect(answer.status, path).toBeGreaterThanOrEqual(400);
          }
        },
      ),
      { numRuns: 1_500 },
    );
  }, 120_000);

  it('answers 600 odd header sets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GET_PATHS.map((path) => ['GET', path] as const), [
          'POST',
          '/v1/responses',
        ] as const),
        fc.record(
          {
            authorization: fc.constantFrom(
              '',
              'Bearer',
              'Bearer ',
              'Basic dXNlcjpwYXNz',
              `Bearer ${'k'.repeat(5_000)}`,
              'bearer test',
            ),
            'content-type': fc.constantFrom(
              'application/json',
              'APPLICATION/JSON',
              'application/json;;',
              'text/html',
            ),
            'content-encoding': fc.constantFrom(
              'gzip',
              'br',
              'zstd',
              'deflate',
              'identity',
              'compress',
              'gzip, gzip',
            ),
            accept: fc.constantFrom('text/event-stream', '*/*', 'application/xml'),
            'x-request-id': fc.string({ maxLength: 300 }),
            'openai-beta': fc.string({ maxLength: 40 }),
          },
          { requiredKeys: [] },
        ),
        jsonValue,
        async ([method, template], headers, value) => {
          const sent: Sent = { method, path: fill(template, own), headers: { ...headers } };
          if (method === 'POST') sent.body = JSON.stringify({ model: 'gpt-test', input: value });
          else delete sent.headers!['content-encoding'];
          // undici refuses header values with control characters before they reach the wire.
          for (const [name, v] of Object.entries(sent.headers!)) {
            if (/[^\t\x20-\x7e]/.test(v)) delete sent.headers![name];
          }
          await probe(sent, false);
        },
      ),
      { numRuns: 600 },
    );
  }, 120_000);

  it('keeps serving, and the other tenant has what it had', async () => {
    const models = await fuzzer.send({ method: 'GET', path: '/v1/models' });
    expect(models.status).toBe(200);
    await h.gateway.ingestor.whenIdle();
    expect(await keeperViews()).toEqual(before);
  });
});
