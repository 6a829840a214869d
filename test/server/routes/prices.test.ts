/**
 * GET /playground/prices: the price table the usage rows are priced with (configured prices over
 * the built-in ones, names resolved as for usage), for any key that may call /v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEST_KEY } from '../../helpers/gateway-harness.js';

let h: Harness;
const auth = { authorization: `Bearer ${TEST_KEY}` };

beforeAll(async () => {
  h = await startHarness({
    env: { RGW_API_KEYS: TEST_KEY },
    config: {
      aliases: { 'mock-model': { targets: ['openai/mock-model'] } },
      prices: { 'mock-model': { input: 2, cachedInput: 0.5, output: 8 }, 'gpt-4o': { input: 3, output: 9 } },
    },
  });
});
afterAll(() => h?.close());

describe('GET /playground/prices', () => {
  it('prices the listed models without a model parameter', async () => {
    const { status, body } = await h.get('/playground/prices', auth);
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'list', unit: 'usd_per_million_tokens' });
    expect(body.data).toContainEqual({
      object: 'model.price',
      model: 'mock-model',
      input: 2,
      cached_input: 0.5,
      output: 8,
    });
  });

  it('resolves any name as usage pricing does: configured, built-in, snapshot prefix, free', async () => {
    const price = async (model: string) =>
      (await h.get(`/playground/prices?model=${encodeURIComponent(model)}`, auth)).body.data;
    // A configured price without cachedInput charges cached tokens at the input rate.
    await expect(price('gpt-4o')).resolves.toEqual([
      { object: 'model.price', model: 'gpt-4o', input: 3, cached_input: 3, output: 9 },
    ]);
    await expect(price('openai/gpt-4o-mini-2024-07-18')).resolves.toEqual([
      expect.objectContaining({ input: 0.15, cached_input: 0.075, output: 0.6 }),
    ]);
    await expect(price('my-self-hosted')).resolves.toEqual([
      expect.objectContaining({ input: 0, cached_input: 0, output: 0 }),
    ]);
  });

  it('answers OpenAI-shaped errors: no key 401, unknown parameter 400', async () => {
    const anonymous = await fetch(`${h.url}/playground/prices`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { type: string } }).error.type).toBe(
      'invalid_request_error',
    );
    const wrong = await h.get('/playground/prices', { authorization: 'Bearer not-a-key' });
    expect(wrong.status).toBe(401);
    const bad = await h.get('/playground/prices?models=x', auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'models' });
    const empty = await h.get('/playground/prices?model=', auth);
    expect(empty.status).toBe(400);
    expect(empty.body.error.param).toBe('model');
  });
});
