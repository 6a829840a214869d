import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import type { JsonBody } from '../helpers/json-body.js';

const ADMIN = 'admin-key-0123456789abcdef';

interface Bucket {
  object: string;
  start_time: number;
  end_time: number;
  results: JsonBody[];
}

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

  it('reports usage over time: every bucket of the range, each with its groups', async () => {
    const now = Date.now();
    const row = (minutesAgo: number, model: string, cost: number) => ({
      response_id: `resp_b${minutesAgo}${model}`,
      created_at: now - minutesAgo * 60_000,
      tenant_id: 'initech',
      key_id: 'key_b',
      model,
      provider: 'openai',
      input_tokens: 10,
      cached_tokens: 2,
      output_tokens: 5,
      reasoning_tokens: 1,
      tool_calls: 0,
      latency_ms: 100,
      ttft_ms: 20,
      status: 'completed',
      cost_usd: cost,
    });
    const rows = [
      row(170, 'gpt-4o', 0.5),
      row(165, 'gpt-4o-mini', 0.25),
      row(160, 'gpt-4o', 0.5),
      row(30, 'gpt-4o-mini', 0.125),
    ];
    await h.gateway.store.usage.append(rows);
    const res = await send(
      'GET',
      '/admin/usage/buckets?since=3h&bucket_width=1h&group_by=model&tenant=initech',
      ADMIN,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'list', group_by: 'model', bucket_width: '1h' });
    const buckets = res.body.data as Bucket[];
    // Whole hours, back from the hour `since` falls in, to now: 4 (or 3 at exactly an hour).
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    expect(buckets.every((b) => b.object === 'bucket' && b.start_time % 3600 === 0)).toBe(true);
    expect(buckets.slice(1).every((b, i) => b.start_time === buckets[i]!.end_time)).toBe(true);
    expect(buckets.at(-1)!.end_time).toBeGreaterThanOrEqual(Math.floor(now / 1000));
    const placed = (b: Bucket) => b.results.map((g) => [g.group, g.requests, g.cost_usd]).sort();
    const expected = (b: Bucket) => {
      const inside = rows.filter(
        (r) => r.created_at >= b.start_time * 1000 && r.created_at < b.end_time * 1000,
      );
      const models = [...new Set(inside.map((r) => r.model))];
      return models
        .map((m) => {
          const mine = inside.filter((r) => r.model === m);
          return [m, mine.length, mine.reduce((sum, r) => sum + r.cost_usd, 0)];
        })
        .sort();
    };
    expect(buckets.map(placed)).toEqual(buckets.map(expected));
    expect(buckets.flatMap((b) => b.results).reduce((n, g) => n + g.requests, 0)).toBe(4);
    const all = buckets.flatMap((b) => b.results);
    expect(all.reduce((n, g) => n + g.input_tokens + g.cached_tokens + g.output_tokens, 0)).toBe(4 * 17);
    expect(all.reduce((n, g) => n + g.reasoning_tokens, 0)).toBe(4);
    const byKey = await send(
      'GET',
      '/admin/usage/buckets?since=1d&bucket_width=1d&group_by=key&tenant=initech',
      ADMIN,
    );
    const keyGroups: JsonBody[] = byKey.body.data.flatMap((b: Bucket) => b.results);
    expect(keyGroups.every((g) => g.group === 'key_b')).toBe(true);
    expect(keyGroups.reduce((n, g) => n + g.requests, 0)).toBe(4);
  });

  it('refuses bad bucket queries with the OpenAI envelope naming the parameter', async () => {
    const cases: Array<[string, string, number]> = [
      ['?bucket_width=soon', 'bucket_width', 400],
      ['?bucket_width=10s', 'bucket_width', 400],
      ['?since=30d&bucket_width=1m', 'bucket_width', 400],
      ['?since=whenever', 'since', 400],
      ['?since=1h&until=2h', 'until', 400],
      ['?group_by=colour', 'group_by', 400],
      ['?interval=1h', 'interval', 400],
    ];
    for (const [query, param, status] of cases) {
      const res = await send('GET', `/admin/usage/buckets${query}`, ADMIN);
      expect([query, res.status]).toEqual([query, status]);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param });
    }
    const { key } = await createKey(h.gateway.store, { tenant: 'acme' });
    expect((await send('GET', '/admin/usage/buckets', key)).status).toBe(403);
    expect((await fetch(`${h.url}/admin/usage/buckets`)).status).toBe(401);
  });
});
