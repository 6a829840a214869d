/** GET /v1/models and /v1/models/{id}: aliases and configured models in OpenAI's shapes. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_PATH } from '../../../src/config/load-config.js';
import { type Harness, startHarness, TEST_KEY } from '../../helpers/gateway-harness.js';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({
    config: (mock) => ({
      providers: [
        {
          name: 'openai',
          type: 'openai-chat',
          baseUrl: mock.baseUrl,
          models: [
            { id: 'gpt-4o', contextWindow: 128_000 },
            { id: 'gpt-4o-mini', contextWindow: 128_000 },
          ],
        },
        { name: 'vllm', type: 'openai-chat', baseUrl: mock.baseUrl },
        { name: 'local', type: 'local', modelPath: BUNDLED_MODEL_PATH },
      ],
      aliases: { fast: { targets: ['openai/gpt-4o-mini', 'local/stories260K'] } },
    }),
  });
  client = new OpenAI({ baseURL: harness.baseURL, apiKey: TEST_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await harness?.close();
});

describe('GET /v1/models', () => {
  it('lists aliases, configured models and the local model, as OpenAI does', async () => {
    const { status, body } = await harness.get('/v1/models');
    expect(status).toBe(200);
    expect(body.object).toBe('list');
    expect(body.data.map((m: { id: string }) => m.id)).toEqual([
      'fast',
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'local/stories260K',
    ]);
    for (const model of body.data) {
      expect(Object.keys(model).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
      expect(model.object).toBe('model');
      expect(Number.isInteger(model.created)).toBe(true);
    }
    expect(body.data.map((m: { owned_by: string }) => m.owned_by)).toEqual([
      'responses-gateway',
      'openai',
      'openai',
      'local',
    ]);
    // Listing never calls an upstream.
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('works with the openai SDK: list and retrieve (an id with a slash)', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('local/stories260K');
    const local = await client.models.retrieve('local/stories260K');
    expect(local).toMatchObject({ id: 'local/stories260K', object: 'model', owned_by: 'local' });
    expect((await client.models.retrieve('fast')).id).toBe('fast');
  });

  it('retrieves by raw path too, and answers 404 model_not_found for an unknown id', async () => {
    expect((await harness.get('/v1/models/openai/gpt-4o')).body.id).toBe('openai/gpt-4o');
    const { status, body } = await harness.get('/v1/models/vllm/anything');
    expect(status).toBe(404);
    expect(body).toEqual({
      error: {
        message: "The model 'vllm/anything' does not exist",
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('requires authentication like every /v1 route', async () => {
    const response = await fetch(`${harness.baseURL}/models`);
    expect(response.status).toBe(401);
  });
});
