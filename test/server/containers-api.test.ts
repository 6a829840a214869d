/**
 * The Containers API through the openai SDK: containers and their files (upload, from a Files API
 * file, content), tenant scoping and the error envelope; no code runs here.
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import type { FileContentSource } from '../../src/tools/containers/containers.js';
import { sdkClient, startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';
import { TEST_CODE_SANDBOX } from '../tools/code-interpreter/sandbox-helpers.js';

const files: FileContentSource = {
  async get(tenantId, fileId) {
    if (tenantId !== 'default' || fileId !== 'file-abc') return undefined;
    return { filename: 'data.csv', mediaType: 'text/csv', bytes: Buffer.from('x,y\n1,2\n') };
  },
};

let gw: TestGateway;
let client: OpenAI;
let other: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway(
    { RGW_API_KEYS: TEST_KEY },
    { codeSandbox: TEST_CODE_SANDBOX },
    { fileSource: files },
  );
  client = sdkClient(gw);
  const acme = await createKey(gw.gateway.store, { tenant: 'acme', name: 'acme' });
  other = new OpenAI({ baseURL: gw.baseURL, apiKey: acme.key, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
});

describe('containers', () => {
  it('creates, retrieves, lists and deletes', async () => {
    const created = await client.containers.create({
      name: 'analysis',
      memory_limit: '4g',
      expires_after: { anchor: 'last_active_at', minutes: 5 },
    });
    expect(created).toMatchObject({
      object: 'container',
      name: 'analysis',
      status: 'running',
      memory_limit: '4g',
      expires_after: { anchor: 'last_active_at', minutes: 5 },
      network_policy: { type: 'disabled' },
    });
    expect(created.id).toMatch(/^cntr_[0-9a-f]{48}$/);
    expect(await client.containers.retrieve(created.id)).toEqual(created);
    const second = await client.containers.create({ name: 'other' });
    expect(second.expires_after).toEqual({ anchor: 'last_active_at', minutes: 20 });
    const page = await client.containers.list({ limit: 1 });
    expect(page.data.map((c) => c.id)).toEqual([second.id]);
    expect(page.has_more).toBe(true);
    const named = await client.containers.list({ name: 'analysis' });
    expect(named.data.map((c) => c.id)).toEqual([created.id]);
    await client.containers.delete(created.id);
    await expect(client.containers.retrieve(created.id)).rejects.toMatchObject({
      status: 404,
      error: { type: 'invalid_request_error', code: 'container_not_found' },
    });
  });

  it('refuses a network allow list', async () => {
    const answer = await gw.post('/v1/containers', {
      name: 'net',
      network_policy: { type: 'allowlist', allowed_domains: ['example.com'] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { param: 'network_policy', code: 'unsupported_value' } });
  });

  it("keeps tenants apart: another tenant's container is not found", async () => {
    const mine = await client.containers.create({ name: 'mine' });
    await expect(other.containers.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.containers.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    expect((await other.containers.list()).data).toEqual([]);
    await expect(other.containers.files.list(mine.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('container files', () => {
  it('uploads, lists, retrieves, reads and deletes', async () => {
    const container = await client.containers.create({ name: 'files' });
    const uploaded = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('hello'), '../../etc/notes.txt'),
    });
    expect(uploaded).toMatchObject({
      object: 'container.file',
      container_id: container.id,
      path: '/mnt/data/notes.txt',
      bytes: 5,
      source: 'user',
    });
    expect(uploaded.id).toMatch(/^cfile_/);
    const fromId = await client.containers.files.create(container.id, { file_id: 'file-abc' });
    expect(fromId).toMatchObject({ path: '/mnt/data/data.csv', bytes: 8 });
    const listed = await client.containers.files.list(container.id, { order: 'asc' });
    expect(listed.data.map((f) => f.path)).toEqual(['/mnt/data/notes.txt', '/mnt/data/data.csv']);
    expect(await client.containers.files.retrieve(uploaded.id, { container_id: container.id })).toEqual(
      uploaded,
    );
    const content = await client.containers.files.content.retrieve(fromId.id, { container_id: container.id });
    expect(content.headers.get('content-type')).toBe('text/csv');
    expect(await content.text()).toBe('x,y\n1,2\n');
    await client.containers.files.delete(uploaded.id, { container_id: container.id });
    await expect(
      client.containers.files.retrieve(uploaded.id, { container_id: container.id }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('copies file_ids at creation; an unknown file is a 404 naming it', async () => {
    const container = await client.containers.create({ name: 'seeded', file_ids: ['file-abc'] });
    const listed = await client.containers.files.list(container.id);
    expect(listed.data.map((f) => f.path)).toEqual(['/mnt/data/data.csv']);
    const missing = await gw.post('/v1/containers', { name: 'x', file_ids: ['file-abc', 'file-nope'] });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { param: 'file_ids[1]', code: 'file_not_found' } });
    const otherTenant = await other.containers.create({ name: 'y' });
    await expect(
      other.containers.files.create(otherTenant.id, { file_id: 'file-abc' }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('replaces a file uploaded again under the same name', async () => {
    const container = await client.containers.create({ name: 'replace' });
    await client.containers.files.create(container.id, { file: await toFile(Buffer.from('one'), 'a.txt') });
    const again = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('second'), 'a.txt'),
    });
    const listed = await client.containers.files.list(container.id);
    expect(listed.data.map((f) => [f.id, f.bytes])).toEqual([[again.id, 6]]);
  });
});
