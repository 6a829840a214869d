import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import type { JsonBody } from '../helpers/json-body.js';

const ADMIN = 'admin-key-0123456789abcdef';

describe('admin API', () => {
  let h: Harness;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const send = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${h.url}${path}`, {
      method,
      headers: { ...as(key), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as JsonBody }));

  beforeAll(async () => {
    h = await startHarness({ env: { RGW_ADMIN_KEY: ADMIN } });
    h.mock.defaultReply = { kind: 'text', text: 'ok', usage: { prompt_tokens: 100, completion_tokens: 50 } };
    // With no active key at all the gateway serves any loopback bearer: keep one, so a revoked key is refused.
    await createKey(h.gateway.store, { tenant: 'keeper' });
  });
  afterAll(() => h.close());

  it('creates, lists, updates and revokes keys, never showing a digest', async () => {
    const created = await send('POST', '/admin/keys', ADMIN, {
      tenant: 'acme',
      name: 'ci',
      rpm: 5,
      models: ['gpt-4o'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenant_id: 'acme',
      name: 'ci',
      rpm: 5,
      models: ['gpt-4o'],
      admin: false,
    });
    expect(created.body.key).toMatch(/^rgw-/);
    expect(created.body.key_hash).toBeUndefined();
    const listed = await send('GET', '/admin/keys', ADMIN);
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const updated = await send('POST', `/admin/keys/${created.body.id}`, ADMIN, { rpm: null, budget_usd: 5 });
    expect(updated.body).toMatchObject({ rpm: null, budget_usd: 5, budget_period: 'month' });
    const used = await h.post('/v1/responses', { model: 'gpt-4o', input: 'hi' }, as(created.body.key));
    expect(used.status).toBe(200);
    expect((await send('DELETE', `/admin/keys/${created.body.id}`, ADMIN)).body.revoked).toBe(true);
    expect(
      (await h.post('/v1/responses', { model: 'gpt-4o', input: 'hi' }, as(created.body.key))).status,
    ).toBe(401);
    expect((await send('DELETE', `/admin/keys/${created.body.id}`, ADMIN)).status).toBe(404);
  });

  it('answers OpenAI-shaped errors: bad bodies 400, non-admin keys 403, no key 401', async () => {
    const bad = await send('POST', '/admin/keys', ADMIN, { tenant: 'acme', rpm: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('rpm');
    const { key } = await createKey(h.gateway.store, { tenant: 'acme' });
    const forbidden = await send('GET', '/admin/keys', key);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.type).toBe('permission_error');
    const anonymous = await fetch(`${h.url}/admin/usage`);
    expect(anonymous.status).toBe(401);
    const { key: adminKey } = await createKey(h.gateway.store, { tenant: 'ops', admin: true });
    expect((await send('GET', '/admin/keys', adminKey)).status).toBe(200);
  });

  it('reports usage by model, key, tenant or provider over a time range', async () => {
    const { key, id } = await createKey(h.gateway.store, { tenant: 'globex' });
    await h.post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi' }, as(key));
    await h.post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi' }, as(key));
    const byModel = await send('GET', '/admin/usage?since=1h&group_by=model&tenant=globex', ADMIN);
    expect(byModel.status).toBe(200);
    expect(byModel.body.data).toEqual([
      expect.objectContaining({ group: 'gpt-4o-mini', requests: 2, input_tokens: 200, output_tokens: 100 }),
    ]);
    expect(byModel.body.data[0].cost_usd).toBeCloseTo((2 * (100 * 0.15 + 50 * 0.6)) / 1e6, 10);
    const byKey = await send('GET', '/admin/usage?group_by=key&tenant=globex', ADMIN);
    expect(byKey.body.data[0].group).toBe(id);
    const bad = await send('GET', '/admin/usage?since=yesterday-ish', ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('since');
  });
});
