import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonBody } from '../helpers/json-body.js';
import { startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';
import { FIXTURE_FILES, fixture, holdsAnswer, QUESTIONS, uploadFile } from './retrieval-helpers.js';

describe('Vector Stores API over HTTP', () => {
  let gw: TestGateway;
  const fileIds = new Map<string, string>();
  let storeId: string;

  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(gw.url + path, {
      method,
      headers: {
        authorization: `Bearer ${TEST_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as JsonBody };
  };

  beforeAll(async () => {
    gw = await startTestGateway({});
    for (const name of FIXTURE_FILES) {
      const uploaded = await uploadFile(gw, name, fixture(name));
      expect(uploaded.status).toBe(200);
      fileIds.set(name, uploaded.body.id);
    }
    const created = await send('POST', '/v1/vector_stores', {
      name: 'company docs',
      file_ids: [...fileIds.values()],
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
      metadata: { team: 'support' },
    });
    expect(created.status).toBe(200);
    storeId = created.body.id;
    expect(created.body).toMatchObject({
      object: 'vector_store',
      name: 'company docs',
      status: 'in_progress',
      metadata: { team: 'support' },
      file_counts: { in_progress: FIXTURE_FILES.length, total: FIXTURE_FILES.length },
    });
    await gw.gateway.ingestor.whenIdle();
  });
  afterAll(() => gw.close());

  it('indexes every fixture format and counts files and bytes', async () => {
    const store = await send('GET', `/v1/vector_stores/${storeId}`);
    expect(store.body.status).toBe('completed');
    expect(store.body.file_counts).toEqual({
      in_progress: 0,
      completed: FIXTURE_FILES.length,
      failed: 0,
      cancelled: 0,
      total: FIXTURE_FILES.length,
    });
    expect(store.body.usage_bytes).toBeGreaterThan(5000);
    const files = await send('GET', `/v1/vector_stores/${storeId}/files?limit=100`);
    expect(files.body.data).toHaveLength(FIXTURE_FILES.length);
    for (const file of files.body.data) {
      expect(file).toMatchObject({
        object: 'vector_store.file',
        status: 'completed',
        last_error: null,
        vector_store_id: storeId,
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
        },
      });
    }
  });

  it('finds the right chunk first for known questions', async () => {
    let first = 0;
    for (const q of QUESTIONS) {
      const res = await send('POST', `/v1/vector_stores/${storeId}/search`, { query: q.question });
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('vector_store.search_results.page');
      const top = res.body.data[0];
      if (top && top.file_id === fileIds.get(q.file) && holdsAnswer(top.content[0].text, q.answer)) first++;
      for (const result of res.body.data) {
        expect(result.score).toBeGreaterThan(0);
        expect(result.score).toBeLessThanOrEqual(1);
      }
    }
    expect(first / QUESTIONS.length).toBeGreaterThanOrEqual(0.85);
  });

  it('answers search with the OpenAI page shape, max_num_results and rewrite_query', async () => {
    const res = await send('POST', `/v1/vector_stores/${storeId}/search`, {
      query: 'What does error code E42 mean?',
      max_num_results: 2,
      rewrite_query: true,
    });
    expect(res.body.search_query).toEqual(['error code e42 mean']);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toMatchObject({
      file_id: fileIds.get('k7-manual.pdf'),
      filename: 'k7-manual.pdf',
      attributes: null,
      content: [{ type: 'text', text: expect.stringContaining('E42') }],
    });
    expect(res.body.has_more).toBe(false);
    expect(res.body.next_page).toBeNull();
    const thresholded = await send('POST', `/v1/vector_stores/${storeId}/search`, {
      query: 'E42 lidar',
      ranking_options: { score_threshold: 0.99 },
    });
    expect(thresholded.body.data.every((r: JsonBody) => r.score >= 0.99)).toBe(true);
  });

  it('returns the parsed content of a file', async () => {
    const res = await send(
      'GET',
      `/v1/vector_stores/${storeId}/files/${fileIds.get('k7-manual.pdf')}/content`,
    );
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('vector_store.file_content.page');
    expect(res.body.data.map((d: JsonBody) => d.text).join(' ')).toContain('lithium iron phosphate');
  });

  it('validates bodies: chunking limits, filters and max_num_results', async () => {
    const tooBig = await send('POST', '/v1/vector_stores', {
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 5000, chunk_overlap_tokens: 0 } },
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.param).toBe('chunking_strategy.static.max_chunk_size_tokens');
    const tooSmall = await send('POST', '/v1/vector_stores', {
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 99, chunk_overlap_tokens: 0 } },
    });
    expect(tooSmall.status).toBe(400);
    const overlap = await send('POST', '/v1/vector_stores', {
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 201 },
      },
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.param).toBe('chunking_strategy.static.chunk_overlap_tokens');
    const results = await send('POST', `/v1/vector_stores/${storeId}/search`, {
      query: 'x',
      max_num_results: 51,
    });
    expect(results.status).toBe(400);
    expect(results.body.error.param).toBe('max_num_results');
    const filter = await send('POST', `/v1/vector_stores/${storeId}/search`, {
      query: 'x',
      filters: { type: 'like', key: 'a', value: 'b' },
    });
    expect(filter.status).toBe(400);
  });

  it('answers 404 for unknown stores, files and batches', async () => {
    expect((await send('GET', '/v1/vector_stores/vs_nope')).status).toBe(404);
    expect((await send('POST', '/v1/vector_stores/vs_nope/search', { query: 'x' })).status).toBe(404);
    const unknownFile = await send('POST', '/v1/vector_stores', { file_ids: ['file-nope'] });
    expect(unknownFile.status).toBe(404);
    expect(unknownFile.body.error.param).toBe('file_ids[0]');
    expect((await send('GET', `/v1/vector_stores/${storeId}/files/file-nope`)).status).toBe(404);
    expect((await send('GET', `/v1/vector_stores/${storeId}/file_batches/vsfb_nope`)).status).toBe(404);
    expect((await send('POST', `/v1/vector_stores/${storeId}/files`, { file_id: 'file-nope' })).status).toBe(
      404,
    );
  });
});
