import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import type { JsonBody } from '../helpers/json-body.js';
import { sdkClient, startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';
import { fixture, uploadFile } from './retrieval-helpers.js';

describe('vector store files, batches, filters and tenants', () => {
  let gw: TestGateway;
  const send = async (method: string, path: string, body?: unknown, key = TEST_KEY) => {
    const response = await fetch(gw.url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as JsonBody };
  };
  const idle = () => gw.gateway.ingestor.whenIdle();

  beforeAll(async () => {
    gw = await startTestGateway({});
  });
  afterAll(() => gw.close());

  it('works through the openai SDK: upload, create, poll, search, content', async () => {
    const client = sdkClient(gw);
    const manual = await client.files.create({
      file: await toFile(fixture('k7-manual.pdf'), 'k7-manual.pdf'),
      purpose: 'assistants',
    });
    const handbook = await client.files.create({
      file: await toFile(fixture('handbook.md'), 'handbook.md'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({ name: 'sdk', file_ids: [manual.id] });
    expect(store.status).toBe('in_progress');
    const attached = await client.vectorStores.files.createAndPoll(
      store.id,
      { file_id: handbook.id, attributes: { kind: 'policy', year: 2024 } },
      { pollIntervalMs: 20 },
    );
    expect(attached).toMatchObject({
      id: handbook.id,
      status: 'completed',
      attributes: { kind: 'policy', year: 2024 },
    });
    await idle();
    expect((await client.vectorStores.retrieve(store.id)).file_counts.completed).toBe(2);
    const page = await client.vectorStores.search(store.id, { query: 'battery charging time' });
    expect(page.data[0]?.file_id).toBe(manual.id);
    expect(page.data[0]?.content[0]?.text).toContain('2.5 hours');
    const content = await client.vectorStores.files.content(handbook.id, { vector_store_id: store.id });
    expect(content.data.map((c) => c.text).join('\n')).toContain('27 days of paid vacation');
    const listed = await client.vectorStores.list();
    expect(listed.data.map((s) => s.id)).toContain(store.id);
    const updated = await client.vectorStores.update(store.id, { name: 'renamed', metadata: { a: 'b' } });
    expect(updated).toMatchObject({ name: 'renamed', metadata: { a: 'b' } });
    // The SDK's batch helper: upload, attach as one batch, poll until done.
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(
      store.id,
      {
        files: [
          await toFile(fixture('security-policy.docx'), 'security-policy.docx'),
          await toFile(fixture('travel-policy.html'), 'travel-policy.html'),
        ],
      },
      { pollIntervalMs: 20 },
    );
    expect(batch).toMatchObject({ status: 'completed', file_counts: { completed: 2, total: 2 } });
    const travel = await client.vectorStores.search(store.id, {
      query: 'hotel limit per night',
      max_num_results: 1,
    });
    expect(travel.data[0]?.filename).toBe('travel-policy.html');
    expect(await client.vectorStores.delete(store.id)).toEqual({
      id: store.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
  });

  it('filters search results on attributes with every operator', async () => {
    const texts = [
      { name: 'a.txt', attributes: { region: 'eu', year: 2022, public: true } },
      { name: 'b.txt', attributes: { region: 'us', year: 2023, public: false } },
      { name: 'c.txt', attributes: { region: 'eu', year: 2024, public: false } },
      { name: 'd.txt', attributes: { year: '2024' } },
    ];
    const store = await send('POST', '/v1/vector_stores', { name: 'filters' });
    const ids: Record<string, string> = {};
    for (const { name, attributes } of texts) {
      const file = await uploadFile(gw, name, `Quarterly revenue report for the widgets division (${name}).`);
      ids[name] = file.body.id;
      expect(
        (
          await send('POST', `/v1/vector_stores/${store.body.id}/files`, {
            file_id: file.body.id,
            attributes,
          })
        ).status,
      ).toBe(200);
    }
    await idle();
    const found = async (filters: unknown) => {
      const res = await send('POST', `/v1/vector_stores/${store.body.id}/search`, {
        query: 'revenue report',
        filters,
      });
      expect(res.status).toBe(200);
      return res.body.data.map((r: JsonBody) => r.filename).sort();
    };
    expect(await found(undefined)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    expect(await found({ type: 'eq', key: 'region', value: 'eu' })).toEqual(['a.txt', 'c.txt']);
    expect(await found({ type: 'ne', key: 'region', value: 'eu' })).toEqual(['b.txt', 'd.txt']);
    expect(await found({ type: 'gt', key: 'year', value: 2022 })).toEqual(['b.txt', 'c.txt']);
    expect(await found({ type: 'gte', key: 'year', value: 2023 })).toEqual(['b.txt', 'c.txt']);
    expect(await found({ type: 'lt', key: 'year', value: 2024 })).toEqual(['a.txt', 'b.txt']);
    expect(await found({ type: 'lte', key: 'year', value: 2022 })).toEqual(['a.txt']);
    expect(await found({ type: 'eq', key: 'year', value: '2024' })).toEqual(['d.txt']);
    expect(await found({ type: 'eq', key: 'public', value: true })).toEqual(['a.txt']);
    expect(await found({ type: 'eq', key: 'public', value: false })).toEqual(['b.txt', 'c.txt']);
    expect(await found({ type: 'in', key: 'region', value: ['us', 'apac'] })).toEqual(['b.txt']);
    expect(await found({ type: 'nin', key: 'region', value: ['us', 'apac'] })).toEqual([
      'a.txt',
      'c.txt',
      'd.txt',
    ]);
    expect(
      await found({
        type: 'and',
        filters: [
          { type: 'eq', key: 'region', value: 'eu' },
          {
            type: 'or',
            filters: [
              { type: 'eq', key: 'year', value: 2022 },
              { type: 'eq', key: 'public', value: false },
            ],
          },
        ],
      }),
    ).toEqual(['a.txt', 'c.txt']);
    expect(
      await found({
        type: 'or',
        filters: [
          { type: 'eq', key: 'region', value: 'us' },
          { type: 'eq', key: 'year', value: '2024' },
        ],
      }),
    ).toEqual(['b.txt', 'd.txt']);
    // Updating attributes changes what filters see.
    const updated = await send('POST', `/v1/vector_stores/${store.body.id}/files/${ids['d.txt']}`, {
      attributes: { region: 'us' },
    });
    expect(updated.body.attributes).toEqual({ region: 'us' });
    expect(await found({ type: 'eq', key: 'region', value: 'us' })).toEqual(['b.txt', 'd.txt']);
  });

  it('fails a corrupt or unsupported file with last_error and keeps serving the rest', async () => {
    const good = await uploadFile(gw, 'good.md', 'The cafeteria opens at 07:30 on weekdays.');
    const corrupt = await uploadFile(gw, 'broken.pdf', '%PDF-1.7\nnot really a pdf');
    const image = await uploadFile(
      gw,
      'photo.png',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]),
    );
    const store = await send('POST', '/v1/vector_stores', {
      file_ids: [good.body.id, corrupt.body.id, image.body.id],
    });
    await idle();
    const retrieved = await send('GET', `/v1/vector_stores/${store.body.id}`);
    expect(retrieved.body.file_counts).toMatchObject({ completed: 1, failed: 2, total: 3 });
    expect(retrieved.body.status).toBe('completed');
    const failed = await send('GET', `/v1/vector_stores/${store.body.id}/files?filter=failed`);
    const errors = Object.fromEntries(failed.body.data.map((f: JsonBody) => [f.id, f.last_error]));
    expect(errors[corrupt.body.id]).toMatchObject({
      code: 'invalid_file',
      message: expect.stringMatching(/PDF/),
    });
    expect(errors[image.body.id]).toMatchObject({ code: 'unsupported_file' });
    expect(
      (await send('GET', `/v1/vector_stores/${store.body.id}/files?filter=completed`)).body.data,
    ).toHaveLength(1);
    const search = await send('POST', `/v1/vector_stores/${store.body.id}/search`, {
      query: 'cafeteria opening',
    });
    expect(search.body.data[0].file_id).toBe(good.body.id);
  });

  it('runs file batches: create, retrieve, list files, cancel', async () => {
    const a = await uploadFile(gw, 'a.md', 'Alpha document about sailing boats.');
    const b = await uploadFile(gw, 'b.md', 'Beta document about mountain huts.');
    const store = await send('POST', '/v1/vector_stores', {});
    const batch = await send('POST', `/v1/vector_stores/${store.body.id}/file_batches`, {
      files: [
        { file_id: a.body.id, attributes: { n: 1 } },
        {
          file_id: b.body.id,
          chunking_strategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
          },
        },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({
      object: 'vector_store.files_batch',
      vector_store_id: store.body.id,
      status: 'in_progress',
      file_counts: { total: 2 },
    });
    expect(batch.body.id).toMatch(/^vsfb_/);
    await idle();
    const done = await send('GET', `/v1/vector_stores/${store.body.id}/file_batches/${batch.body.id}`);
    expect(done.body).toMatchObject({ status: 'completed', file_counts: { completed: 2, total: 2 } });
    const files = await send(
      'GET',
      `/v1/vector_stores/${store.body.id}/file_batches/${batch.body.id}/files?order=asc`,
    );
    expect(files.body.data.map((f: JsonBody) => f.id)).toEqual([a.body.id, b.body.id]);
    expect(files.body.data[0].attributes).toEqual({ n: 1 });
    expect(files.body.data[1].chunking_strategy.static.max_chunk_size_tokens).toBe(100);

    // Cancel before the indexer gets to it: stop it first.
    await gw.gateway.ingestor.stop();
    const c = await uploadFile(gw, 'c.md', 'Gamma document.');
    const pending = await send('POST', `/v1/vector_stores/${store.body.id}/file_batches`, {
      file_ids: [c.body.id],
    });
    const cancelled = await send(
      'POST',
      `/v1/vector_stores/${store.body.id}/file_batches/${pending.body.id}/cancel`,
    );
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      file_counts: { cancelled: 1, in_progress: 0 },
    });
    await gw.gateway.ingestor.start();
    await idle();
    expect((await send('GET', `/v1/vector_stores/${store.body.id}/files/${c.body.id}`)).body.status).toBe(
      'cancelled',
    );

    const both = await send('POST', `/v1/vector_stores/${store.body.id}/file_batches`, {
      file_ids: [a.body.id],
      files: [],
    });
    expect(both.status).toBe(400);
    const neither = await send('POST', `/v1/vector_stores/${store.body.id}/file_batches`, {});
    expect(neither.status).toBe(400);
  });

  it('removes a deleted file from every store, with usage_bytes and file_counts following', async () => {
    const shared = await uploadFile(gw, 'shared.md', 'Shared knowledge about the lighthouse keeper.');
    const other = await uploadFile(gw, 'other.md', 'Other facts about lighthouses.');
    const one = await send('POST', '/v1/vector_stores', { file_ids: [shared.body.id, other.body.id] });
    const two = await send('POST', '/v1/vector_stores', { file_ids: [shared.body.id] });
    await idle();
    const before = (await send('GET', `/v1/vector_stores/${one.body.id}`)).body;
    expect(before.file_counts.total).toBe(2);
    expect((await send('DELETE', `/v1/files/${shared.body.id}`)).body.deleted).toBe(true);
    const after = (await send('GET', `/v1/vector_stores/${one.body.id}`)).body;
    expect(after.file_counts).toMatchObject({ total: 1, completed: 1 });
    expect(after.usage_bytes).toBeLessThan(before.usage_bytes);
    expect((await send('GET', `/v1/vector_stores/${two.body.id}`)).body).toMatchObject({
      usage_bytes: 0,
      file_counts: { total: 0 },
    });
    const search = await send('POST', `/v1/vector_stores/${one.body.id}/search`, {
      query: 'lighthouse keeper',
    });
    expect(search.body.data.map((r: JsonBody) => r.file_id)).toEqual([other.body.id]);
    // Detaching drops the file from that store only.
    const again = await uploadFile(gw, 'again.md', 'Lighthouse keeper notes.');
    await send('POST', `/v1/vector_stores/${one.body.id}/files`, { file_id: again.body.id });
    await send('POST', `/v1/vector_stores/${two.body.id}/files`, { file_id: again.body.id });
    await idle();
    expect((await send('DELETE', `/v1/vector_stores/${one.body.id}/files/${again.body.id}`)).body).toEqual({
      id: again.body.id,
      object: 'vector_store.file.deleted',
      deleted: true,
    });
    expect(
      (await send('POST', `/v1/vector_stores/${two.body.id}/search`, { query: 'keeper' })).body.data,
    ).toHaveLength(1);
    expect((await send('GET', `/v1/files/${again.body.id}`)).status).toBe(200);
  });

  it('keeps each tenant to its own stores: a foreign id is a 404 everywhere', async () => {
    const file = await uploadFile(gw, 'mine.md', 'Secret recipe for the tenant cake.');
    const store = await send('POST', '/v1/vector_stores', { file_ids: [file.body.id] });
    await idle();
    // From here on the test key is unknown: this test runs last.
    const other = (await createKey(gw.gateway.store, { tenant: 'other', name: 'o' })).key;
    const id = store.body.id;
    const expect404 = async (method: string, path: string, body?: unknown) => {
      const res = await send(method, path, body, other);
      expect(res.status, `${method} ${path}`).toBe(404);
    };
    await expect404('GET', `/v1/vector_stores/${id}`);
    await expect404('POST', `/v1/vector_stores/${id}`, { name: 'x' });
    await expect404('POST', `/v1/vector_stores/${id}/search`, { query: 'recipe' });
    await expect404('GET', `/v1/vector_stores/${id}/files`);
    await expect404('GET', `/v1/vector_stores/${id}/files/${file.body.id}`);
    await expect404('GET', `/v1/vector_stores/${id}/files/${file.body.id}/content`);
    await expect404('DELETE', `/v1/vector_stores/${id}/files/${file.body.id}`);
    await expect404('DELETE', `/v1/vector_stores/${id}`);
    // Their own store cannot take our file either.
    const theirs = await send('POST', '/v1/vector_stores', {}, other);
    await expect404('POST', `/v1/vector_stores/${theirs.body.id}/files`, { file_id: file.body.id });
    expect(
      (await send('GET', '/v1/vector_stores', undefined, other)).body.data.map((s: JsonBody) => s.id),
    ).toEqual([theirs.body.id]);
  });
});
