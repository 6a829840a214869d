import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseBodySchema } from '../../src/protocol/create-response.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

describe('GET /openapi.json', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({});
  });
  afterAll(() => gw.close());

  it('documents the routes with request schemas generated from the validating zod schemas', async () => {
    const res = await fetch(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/v1/responses']!.post!.requestBody!.content['application/json']!.schema;
    // Every top-level field the validator knows is documented, and nothing else.
    expect(Object.keys(create.properties).sort()).toEqual(Object.keys(createResponseBodySchema.shape).sort());
    for (const path of [
      '/v1/conversations/{conversation_id}/items',
      '/v1/vector_stores/{vector_store_id}/search',
      '/admin/keys',
      '/admin/usage',
      '/admin/usage/buckets',
      '/playground/prices',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
