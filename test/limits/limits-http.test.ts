import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';

describe('limits, budgets and usage rows through HTTP', () => {
  let h: Harness;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const body = { model: 'gpt-4o', input: 'hi' };

  beforeAll(async () => {
    h = await startHarness({ config: { limits: { tenants: { globex: { rpm: 100 } } } } });
    h.mock.defaultReply = {
      kind: 'text',
      text: 'ok',
      usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200 },
    };
  });
  afterAll(() => h.close());

  it('answers 429 past a key’s requests per minute, with OpenAI’s body and headers', async () => {
    const { key } = await createKey(h.gateway.store, { tenant: 'acme', rpm: 2 });
    const first = await h.post('/v1/responses', body, as(key));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$/);
    expect((await h.post('/v1/responses', body, as(key))).status).toBe(200);
    const refused = await h.post('/v1/responses', body, as(key));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
    expect(refused.body.error.message).toMatch(/^Rate limit reached for requests per min \(RPM\)/);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other routes carry the headers too, without counting.
    const listed = await h.get('/v1/models', as(key));
    expect(listed.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('counts tokens from usage after each response and refuses when the estimate does not fit', async () => {
    const { key } = await createKey(h.gateway.store, { tenant: 'acme', tpm: 2000 });
    const first = await h.post('/v1/responses', body, as(key));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('2000');
    // 1500 used: a request allowing 1000 output tokens no longer fits.
    const refused = await h.post('/v1/responses', { ...body, max_output_tokens: 1000 }, as(key));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    expect(refused.body.error.message).toMatch(/Limit 2000, Used 1[45]\d\d, Requested 10\d\d/);
  });

  it('stops a key at its budget with insufficient_quota', async () => {
    // gpt-4o: 800 × $2.5 + 200 × $1.25 + 500 × $10 per million = $0.00725 a response.
    const { key, id } = await createKey(h.gateway.store, {
      tenant: 'acme',
      budget: 0.01,
      budgetPeriod: 'day',
    });
    expect((await h.post('/v1/responses', body, as(key))).status).toBe(200);
    expect((await h.post('/v1/responses', body, as(key))).status).toBe(200);
    const refused = await h.post('/v1/responses', body, as(key));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    await h.gateway.usage.flush();
    const spend = await h.gateway.store.usage.spend({ keyId: id }, 0);
    expect(spend).toBeCloseTo(0.0145, 6);
  });

  it('limits concurrent requests and frees the slot when a stream ends', async () => {
    const { key } = await createKey(h.gateway.store, { tenant: 'acme', maxConcurrent: 1 });
    h.mock.defaultReply = { kind: 'text', text: 'slow answer here', delayMs: 100 };
    const slow = h.post('/v1/responses', { ...body, stream: true }, as(key));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await h.post('/v1/responses', body, as(key));
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('concurrent requests');
    expect((await slow).status).toBe(200);
    expect((await h.post('/v1/responses', body, as(key))).status).toBe(200);
  });

  it('refuses models outside a key’s list as OpenAI does', async () => {
    const { key } = await createKey(h.gateway.store, { tenant: 'acme', models: ['gpt-4o-mini'] });
    const refused = await h.post('/v1/responses', body, as(key));
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect((await h.post('/v1/responses', { ...body, model: 'gpt-4o-mini' }, as(key))).status).toBe(200);
  });

  it('refuses an expired key', async () => {
    const { key } = await createKey(h.gateway.store, {
      tenant: 'acme',
      expires: Math.floor(Date.now() / 1000) - 1,
    });
    const refused = await h.post('/v1/responses', body, as(key));
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_api_key');
  });

  it('writes one usage row per response, with tokens, provider, timing and cost', async () => {
    const { key, id } = await createKey(h.gateway.store, { tenant: 'globex' });
    h.mock.defaultReply = {
      kind: 'text',
      text: 'ok',
      usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200, reasoning_tokens: 100 },
    };
    const streamed = await h.post('/v1/responses', { ...body, stream: true }, as(key));
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('x-ratelimit-limit-requests')).toBe('100');
    await h.gateway.usage.flush();
    const groups = await h.gateway.store.usage.summarize({
      since: 0,
      until: Date.now() + 1,
      groupBy: 'key',
      tenantId: 'globex',
    });
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      group: id,
      requests: 1,
      input_tokens: 1000,
      cached_tokens: 200,
      output_tokens: 500,
      reasoning_tokens: 100,
    });
    expect(groups[0]!.cost_usd).toBeCloseTo(0.00725, 8);
    expect(groups[0]!.avg_ttft_ms).not.toBeNull();
    const byProvider = await h.gateway.store.usage.summarize({
      since: 0,
      until: Date.now() + 1,
      groupBy: 'provider',
    });
    expect(byProvider[0]!.group).toBe('openai');
  });

  it('attributes a background response to the key that queued it', async () => {
    const { key, id } = await createKey(h.gateway.store, { tenant: 'initech' });
    h.mock.defaultReply = { kind: 'text', text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } };
    const queued = await h.post('/v1/responses', { ...body, background: true }, as(key));
    expect(queued.status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const got = await h.get(`/v1/responses/${queued.body.id}`, as(key));
      if (got.body.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await h.gateway.usage.flush();
    const groups = await h.gateway.store.usage.summarize({
      since: 0,
      until: Date.now() + 1,
      groupBy: 'key',
      tenantId: 'initech',
    });
    expect(groups.map((g) => g.group)).toEqual([id]);
  });
});
