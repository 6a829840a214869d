import { request as httpRequest } from 'node:http';
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import type { JsonBody } from '../helpers/json-body.js';
import { sdkClient, startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';

const MAX_BYTES = 64 * 1024;

async function upload(
  gw: TestGateway,
  parts: Array<[string, string | Blob, string?]>,
  key = TEST_KEY,
): Promise<{ status: number; body: JsonBody }> {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename);
  }
  const response = await fetch(`${gw.baseURL}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  return { status: response.status, body: await response.json() };
}

describe('Files API', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({}, { files: { maxBytes: MAX_BYTES } });
  });
  afterAll(() => gw.close());

  it('uploads, lists, retrieves, downloads and deletes through the SDK', async () => {
    const client = sdkClient(gw);
    const created = await client.files.create({
      file: await toFile(Buffer.from('hello files'), 'hello.txt'),
      purpose: 'assistants',
    });
    expect(created).toMatchObject({
      object: 'file',
      bytes: 11,
      filename: 'hello.txt',
      purpose: 'assistants',
      status: 'processed',
    });
    expect(created.id).toMatch(/^file-[0-9a-f]{48}$/);
    expect((await client.files.retrieve(created.id)).id).toBe(created.id);
    const content = await client.files.content(created.id);
    expect(await content.text()).toBe('hello files');
    expect(content.headers.get('content-type')).toBe('text/plain');
    const listed = await client.files.list({ purpose: 'assistants' });
    expect(listed.data.map((f) => f.id)).toContain(created.id);
    expect(await client.files.delete(created.id)).toEqual({ id: created.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps identical content once and removes it with its last file', async () => {
    const a = await upload(gw, [
      ['purpose', 'user_data'],
      ['file', new Blob(['same bytes']), 'a.txt'],
    ]);
    const b = await upload(gw, [
      ['file', new Blob(['same bytes']), 'b.txt'],
      ['purpose', 'user_data'],
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const blobs = gw.gateway.store.files;
    const record = await blobs.get('default', a.body.id, 0);
    expect(await blobs.countByContent(record!.sha256)).toBe(2);
    await gw.get(`/v1/files/${a.body.id}`);
    await fetch(`${gw.baseURL}/files/${a.body.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TEST_KEY}` },
    });
    const content = await fetch(`${gw.baseURL}/files/${b.body.id}/content`, {
      headers: { authorization: `Bearer ${TEST_KEY}` },
    });
    expect(await content.text()).toBe('same bytes');
  });

  it('paginates with order, limit and after', async () => {
    const ids: string[] = [];
    for (const name of ['p1', 'p2', 'p3']) {
      ids.push(
        (
          await upload(gw, [
            ['purpose', 'vision'],
            ['file', new Blob([name]), `${name}.txt`],
          ])
        ).body.id,
      );
    }
    const first = await gw.get('/v1/files?purpose=vision&order=asc&limit=2');
    expect(first.body.data.map((f: JsonBody) => f.id)).toEqual(ids.slice(0, 2));
    expect(first.body.has_more).toBe(true);
    const next = await gw.get(`/v1/files?purpose=vision&order=asc&limit=2&after=${ids[1]}`);
    expect(next.body.data.map((f: JsonBody) => f.id)).toEqual([ids[2]]);
    expect(next.body.has_more).toBe(false);
  });

  it('sets expires_at from expires_after', async () => {
    const res = await upload(gw, [
      ['purpose', 'batch'],
      ['expires_after[anchor]', 'created_at'],
      ['expires_after[seconds]', '3600'],
      ['file', new Blob(['x']), 'x.jsonl'],
    ]);
    expect(res.status).toBe(200);
    expect(res.body.expires_at).toBe(res.body.created_at + 3600);
  });

  it('answers 400 for an unknown purpose, a missing file and a body that is not multipart', async () => {
    const purpose = await upload(gw, [
      ['purpose', 'nope'],
      ['file', new Blob(['x']), 'x.txt'],
    ]);
    expect(purpose.status).toBe(400);
    expect(purpose.body.error).toMatchObject({ param: 'purpose', code: 'invalid_value' });
    const missing = await upload(gw, [['purpose', 'assistants']]);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ param: 'file', code: 'missing_required_parameter' });
    const json = await gw.post('/v1/files', { purpose: 'assistants' });
    expect(json.status).toBe(400);
    const malformed = await fetch(`${gw.baseURL}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_KEY}`,
        'content-type': 'multipart/form-data; boundary=XYZ',
      },
      body: '--XYZ\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--XY',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as JsonBody).error.type).toBe('invalid_request_error');
  });

  it('answers 413 for a file over the limit and stores nothing', async () => {
    const before = (await gw.get('/v1/files')).body.data.length;
    const big = await upload(gw, [
      ['purpose', 'assistants'],
      ['file', new Blob([Buffer.alloc(MAX_BYTES + 1)]), 'big.bin'],
    ]);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ type: 'invalid_request_error', code: 'file_too_large' });
    // Sent without a length (chunked), the limit holds while streaming.
    const status = await new Promise<number>((resolve, reject) => {
      const boundary = 'BOUNDARY';
      const req = httpRequest(
        `${gw.baseURL}/files`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TEST_KEY}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n`);
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      );
      req.write(Buffer.alloc(MAX_BYTES * 2, 'a'));
      req.end(`\r\n--${boundary}--\r\n`);
    });
    expect(status).toBe(413);
    expect((await gw.get('/v1/files')).body.data.length).toBe(before);
  });

  it('keeps each tenant to its own files', async () => {
    const mine = await upload(gw, [
      ['purpose', 'assistants'],
      ['file', new Blob(['mine']), 'm.txt'],
    ]);
    // Once managed keys exist the test key is unknown: this test runs last, with two of them.
    const other = (await createKey(gw.gateway.store, { tenant: 'other', name: 'o' })).key;
    const own = (await createKey(gw.gateway.store, { tenant: 'default', name: 'd' })).key;
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    expect((await gw.get(`/v1/files/${mine.body.id}`, as(own))).status).toBe(200);
    const foreign = await gw.get(`/v1/files/${mine.body.id}`, as(other));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(`No such File object: ${mine.body.id}`);
    expect((await gw.get(`/v1/files/${mine.body.id}/content`, as(other))).status).toBe(404);
    expect((await gw.get('/v1/files', as(other))).body.data).toEqual([]);
    expect(await gw.gateway.files.get('other', mine.body.id)).toBeUndefined();
    const content = await gw.gateway.files.get('default', mine.body.id);
    expect(content).toMatchObject({ filename: 'm.txt', mediaType: 'text/plain' });
    expect(content?.bytes.toString()).toBe('mine');
  });
});

describe('large uploads', () => {
  it('stream past the JSON body limit up to files.maxBytes, byte for byte', async () => {
    const gw = await startTestGateway({}, { files: { maxBytes: 8 * 1024 * 1024 }, bodyLimit: 1024 * 1024 });
    try {
      const bytes = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
      const res = await upload(gw, [
        ['purpose', 'user_data'],
        ['file', new Blob([bytes]), 'blob.bin'],
      ]);
      expect(res.status).toBe(200);
      expect(res.body.bytes).toBe(bytes.length);
      const content = await fetch(`${gw.baseURL}/files/${res.body.id}/content`, {
        headers: { authorization: `Bearer ${TEST_KEY}` },
      });
      expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
