import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, listKeys, revokeKey } from '../../src/cli/keys.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';

describe('managed API keys and tenant isolation', () => {
  let h: Harness;
  let keyA: string;
  let keyB: string;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    h = await startHarness();
    keyA = (await createKey(h.gateway.store, { tenant: 'acme', name: 'a' })).key;
    keyB = (await createKey(h.gateway.store, { tenant: 'globex', name: 'b' })).key;
  });
  afterAll(() => h.close());

  it('stores keys hashed and lists them without the key', async () => {
    const lines = await listKeys(h.gateway.store);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(keyA);
    const stored = await h.gateway.store.apiKeys.list();
    expect(stored.every((k) => /^[0-9a-f]{64}$/.test(k.key_hash))).toBe(true);
  });

  it('rejects unknown keys once managed keys exist, even from loopback', async () => {
    const res = await h.post('/v1/responses', { model: 'm', input: 'hi' }, as('not-a-key'));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
    });
  });

  it('authenticates a route however its path is percent-encoded', async () => {
    // Found by the fuzzer: `/%76%31/files` reached the /v1/files route past the key check.
    for (const path of ['/%76%31/files', '/v1/vector%5Fstores', '/%76%31/models']) {
      const res = await fetch(`${h.url}${path}`, { headers: as('not-a-key') });
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    }
    const own = await fetch(`${h.url}/%76%31/models`, { headers: as(keyA) });
    expect(own.status).toBe(200);
  });

  it('keeps each tenant to its own responses and conversations', async () => {
    const created = await h.post('/v1/responses', { model: 'm', input: 'hi' }, as(keyA));
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    expect((await h.get(`/v1/responses/${id}`, as(keyA))).status).toBe(200);
    const foreign = await h.get(`/v1/responses/${id}`, as(keyB));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(`Response with id '${id}' not found.`);
    expect((await h.get(`/v1/responses/${id}/input_items`, as(keyB))).status).toBe(404);
    const continued = await h.post(
      '/v1/responses',
      { model: 'm', input: 'x', previous_response_id: id },
      as(keyB),
    );
    expect(continued.status).toBe(400);
    expect(continued.body.error.code).toBe('previous_response_not_found');

    const conversation = await h.post('/v1/conversations', {}, as(keyA));
    expect((await h.get(`/v1/conversations/${conversation.body.id}`, as(keyB))).status).toBe(404);
    const used = await h.post(
      '/v1/responses',
      { model: 'm', input: 'x', conversation: conversation.body.id },
      as(keyB),
    );
    expect(used.status).toBe(404);
  });

  it('refuses a revoked key', async () => {
    const created = await createKey(h.gateway.store, { tenant: 'acme', name: 'temp' });
    expect((await h.post('/v1/responses', { model: 'm', input: 'hi' }, as(created.key))).status).toBe(200);
    expect(await revokeKey(h.gateway.store, created.id)).toBe(true);
    expect(await revokeKey(h.gateway.store, created.id)).toBe(false);
    expect((await h.post('/v1/responses', { model: 'm', input: 'hi' }, as(created.key))).status).toBe(401);
  });
});
