/**
 * GET /openapi.json: the OpenAPI 3.1 document, its request schemas generated from the same zod
 * schemas that validate the requests (src/protocol/), so the two cannot drift apart. Built once,
 * on the first request.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createKeyBodySchema,
  updateKeyBodySchema,
  usageBucketsQuerySchema,
  usageQuerySchema,
} from '../protocol/admin.js';
import { compactBodySchema } from '../protocol/compact.js';
import { createContainerFileSchema, createContainerSchema } from '../protocol/containers.js';
import {
  addItemsSchema,
  createConversationSchema,
  updateConversationSchema,
} from '../protocol/conversations.js';
import { createResponseBodySchema } from '../protocol/create-response.js';
import { inputTokensBodySchema } from '../protocol/input-tokens.js';
import { pricesQuerySchema } from '../protocol/prices.js';
import {
  createFileBatchSchema,
  createVectorStoreFileSchema,
  createVectorStoreSchema,
  searchVectorStoreSchema,
  updateVectorStoreFileSchema,
  updateVectorStoreSchema,
} from '../protocol/vector-stores.js';

type Method = 'get' | 'post' | 'delete';
interface Operation {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
}

const ROUTES: Record<string, Partial<Record<Method, Operation>>> = {
  '/v1/responses': { post: { summary: 'Create a response', body: createResponseBodySchema } },
  '/v1/responses/{response_id}': {
    get: { summary: 'Retrieve a response' },
    delete: { summary: 'Delete a response' },
  },
  '/v1/responses/{response_id}/cancel': { post: { summary: 'Cancel a background response' } },
  '/v1/responses/{response_id}/input_items': { get: { summary: 'List input items' } },
  '/v1/responses/input_tokens': { post: { summary: 'Count input tokens', body: inputTokensBodySchema } },
  '/v1/responses/compact': { post: { summary: 'Compact a conversation', body: compactBodySchema } },
  '/v1/conversations': { post: { summary: 'Create a conversation', body: createConversationSchema } },
  '/v1/conversations/{conversation_id}': {
    get: { summary: 'Retrieve a conversation' },
    post: { summary: 'Update a conversation', body: updateConversationSchema },
    delete: { summary: 'Delete a conversation' },
  },
  '/v1/conversations/{conversation_id}/items': {
    get: { summary: 'List items' },
    post: { summary: 'Add items', body: addItemsSchema },
  },
  '/v1/conversations/{conversation_id}/items/{item_id}': {
    get: { summary: 'Retrieve an item' },
    delete: { summary: 'Delete an item' },
  },
  '/v1/files': { get: { summary: 'List files' }, post: { summary: 'Upload a file (multipart)' } },
  '/v1/files/{file_id}': { get: { summary: 'Retrieve a file' }, delete: { summary: 'Delete a file' } },
  '/v1/files/{file_id}/content': { get: { summary: 'File content' } },
  '/v1/vector_stores': {
    get: { summary: 'List vector stores' },
    post: { summary: 'Create a vector store', body: createVectorStoreSchema },
  },
  '/v1/vector_stores/{vector_store_id}': {
    get: { summary: 'Retrieve a vector store' },
    post: { summary: 'Update a vector store', body: updateVectorStoreSchema },
    delete: { summary: 'Delete a vector store' },
  },
  '/v1/vector_stores/{vector_store_id}/files': {
    get: { summary: 'List vector store files' },
    post: { summary: 'Attach a file', body: createVectorStoreFileSchema },
  },
  '/v1/vector_stores/{vector_store_id}/files/{file_id}': {
    get: { summary: 'Retrieve a vector store file' },
    post: { summary: 'Update file attributes', body: updateVectorStoreFileSchema },
    delete: { summary: 'Detach a file' },
  },
  '/v1/vector_stores/{vector_store_id}/file_batches': {
    post: { summary: 'Create a file batch', body: createFileBatchSchema },
  },
  '/v1/vector_stores/{vector_store_id}/search': {
    post: { summary: 'Search a vector store', body: searchVectorStoreSchema },
  },
  '/v1/containers': {
    get: { summary: 'List containers' },
    post: { summary: 'Create a container', body: createContainerSchema },
  },
  '/v1/containers/{container_id}': {
    get: { summary: 'Retrieve a container' },
    delete: { summary: 'Delete a container' },
  },
  '/v1/containers/{container_id}/files': {
    get: { summary: 'List container files' },
    post: { summary: 'Add a file', body: createContainerFileSchema },
  },
  '/v1/models': { get: { summary: 'List models' } },
  '/admin/keys': {
    get: { summary: 'List API keys (admin)' },
    post: { summary: 'Create an API key (admin)', body: createKeyBodySchema },
  },
  '/admin/keys/{key_id}': {
    get: { summary: 'Retrieve an API key (admin)' },
    post: { summary: 'Update an API key (admin)', body: updateKeyBodySchema },
    delete: { summary: 'Revoke an API key (admin)' },
  },
  '/admin/usage': {
    get: { summary: 'Usage grouped by key, tenant, model or provider (admin)', query: usageQuerySchema },
  },
  '/admin/usage/buckets': {
    get: {
      summary: 'Usage over time: buckets of bucket_width, each grouped as /admin/usage (admin)',
      query: usageBucketsQuerySchema,
    },
  },
  '/playground/prices': {
    get: {
      summary: 'Prices the gateway charges per model, USD per million tokens',
      query: pricesQuerySchema,
    },
  },
};

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'] },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // Request shapes as the client writes them (before transforms); custom refinements have no JSON
  // Schema form and are left open rather than failing the document.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(ROUTES)) {
    const parameters = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const item: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(operations) as Array<[Method, Operation]>) {
      const query = op.query
        ? Object.entries(jsonSchema(op.query).properties as Record<string, unknown>).map(
            ([name, schema]) => ({
              name,
              in: 'query',
              schema,
            }),
          )
        : [];
      item[method] = {
        summary: op.summary,
        ...(parameters.length + query.length > 0 ? { parameters: [...parameters, ...query] } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(op.body) } },
              },
            }
          : {}),
        responses: {
          '200': { description: 'OK' },
          default: {
            description: 'Error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      };
    }
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'responses-gateway',
      version,
      description: 'OpenAI Responses API over any model provider',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

export function registerOpenApiRoute(app: FastifyInstance, version: string): void {
  let document: string | undefined;
  app.get('/openapi.json', async (_request, reply) => {
    document ??= JSON.stringify(buildOpenApiDocument(version));
    return reply.type('application/json; charset=utf-8').send(document);
  });
}
