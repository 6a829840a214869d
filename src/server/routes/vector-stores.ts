/** The Vector Stores API: /v1/vector_stores, their files, file batches and search. */
import type { FastifyInstance } from 'fastify';
import {
  createFileBatchSchema,
  createVectorStoreFileSchema,
  createVectorStoreSchema,
  listVectorStoreFilesQuerySchema,
  listVectorStoresQuerySchema,
  searchVectorStoreSchema,
  updateVectorStoreFileSchema,
  updateVectorStoreSchema,
} from '../../protocol/vector-stores.js';
import type { VectorStoreFiles } from '../../vector-stores/vector-store-files.js';
import type { VectorStores } from '../../vector-stores/vector-stores.js';
import { parseRequestBody } from '../validate-request.js';

type Params = {
  Params: { id: string; fileId: string; batchId: string };
  Querystring: Record<string, unknown>;
};

export interface VectorStoreRoutesDeps {
  vectorStores: VectorStores;
  vectorStoreFiles: VectorStoreFiles;
}

export function registerVectorStoreRoutes(app: FastifyInstance, deps: VectorStoreRoutesDeps): void {
  const { vectorStores, vectorStoreFiles: files } = deps;

  app.post('/v1/vector_stores', async (request) =>
    vectorStores.create(
      request.principal!.tenantId,
      parseRequestBody(createVectorStoreSchema, request.body ?? {}),
    ),
  );

  app.get<Params>('/v1/vector_stores', async (request) => {
    const query = parseRequestBody(listVectorStoresQuerySchema, request.query);
    return vectorStores.list(request.principal!.tenantId, {
      limit: query.limit ?? 20,
      order: query.order ?? 'desc',
      after: query.after,
      before: query.before,
    });
  });

  app.get<Params>('/v1/vector_stores/:id', async (request) =>
    vectorStores.retrieve(request.principal!.tenantId, request.params.id),
  );

  app.post<Params>('/v1/vector_stores/:id', async (request) =>
    vectorStores.update(
      request.principal!.tenantId,
      request.params.id,
      parseRequestBody(updateVectorStoreSchema, request.body ?? {}),
    ),
  );

  app.delete<Params>('/v1/vector_stores/:id', async (request) =>
    vectorStores.delete(request.principal!.tenantId, request.params.id),
  );

  app.post<Params>('/v1/vector_stores/:id/search', async (request) => {
    const body = parseRequestBody(searchVectorStoreSchema, request.body);
    return vectorStores.search(request.principal!.tenantId, request.params.id, body);
  });

  app.post<Params>('/v1/vector_stores/:id/files', async (request) =>
    files.attach(
      request.principal!.tenantId,
      request.params.id,
      parseRequestBody(createVectorStoreFileSchema, request.body),
    ),
  );

  app.get<Params>('/v1/vector_stores/:id/files', async (request) => {
    const query = parseRequestBody(listVectorStoreFilesQuerySchema, request.query);
    return files.list(request.principal!.tenantId, request.params.id, {
      limit: query.limit ?? 20,
      order: query.order ?? 'desc',
      after: query.after,
      before: query.before,
      filter: query.filter,
    });
  });

  app.get<Params>('/v1/vector_stores/:id/files/:fileId', async (request) =>
    files.retrieve(request.principal!.tenantId, request.params.id, request.params.fileId),
  );

  app.post<Params>('/v1/vector_stores/:id/files/:fileId', async (request) => {
    const body = parseRequestBody(updateVectorStoreFileSchema, request.body);
    return files.update(
      request.principal!.tenantId,
      request.params.id,
      request.params.fileId,
      body.attributes,
    );
  });

  app.delete<Params>('/v1/vector_stores/:id/files/:fileId', async (request) =>
    files.detach(request.principal!.tenantId, request.params.id, request.params.fileId),
  );

  app.get<Params>('/v1/vector_stores/:id/files/:fileId/content', async (request) =>
    files.content(request.principal!.tenantId, request.params.id, request.params.fileId),
  );

  app.post<Params>('/v1/vector_stores/:id/file_batches', async (request) =>
    files.createBatch(
      request.principal!.tenantId,
      request.params.id,
      parseRequestBody(createFileBatchSchema, request.body),
    ),
  );

  app.get<Params>('/v1/vector_stores/:id/file_batches/:batchId', async (request) =>
    files.retrieveBatch(request.principal!.tenantId, request.params.id, request.params.batchId),
  );

  app.post<Params>('/v1/vector_stores/:id/file_batches/:batchId/cancel', async (request) =>
    files.cancelBatch(request.principal!.tenantId, request.params.id, request.params.batchId),
  );

  app.get<Params>('/v1/vector_stores/:id/file_batches/:batchId/files', async (request) => {
    const query = parseRequestBody(listVectorStoreFilesQuerySchema, request.query);
    return files.list(request.principal!.tenantId, request.params.id, {
      limit: query.limit ?? 20,
      order: query.order ?? 'desc',
      after: query.after,
      before: query.before,
      filter: query.filter,
      batchId: request.params.batchId,
    });
  });
}
