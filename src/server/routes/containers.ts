/** The Containers API: /v1/containers and their files (multipart upload or a Files API `file_id`). */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { GatewayError, invalidRequest } from '../../errors.js';
import {
  containerListQuerySchema,
  createContainerFileSchema,
  createContainerSchema,
} from '../../protocol/containers.js';
import { listQuerySchema } from '../../protocol/list-query.js';
import type { Containers } from '../../tools/containers/containers.js';
import { parseRequestBody } from '../validate-request.js';

type Params = { Params: { id: string; fileId: string }; Querystring: Record<string, unknown> };

const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  html: 'text/html',
  pdf: 'application/pdf',
};

export function registerContainerRoutes(
  app: FastifyInstance,
  containers: Containers,
  limits: { maxUploadBytes: number },
): void {
  // Its own scope, so the multipart parser serves these routes only.
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fileSize: limits.maxUploadBytes } });

    scope.post('/v1/containers', async (request) => {
      const body = parseRequestBody(createContainerSchema, request.body);
      return containers.create(request.principal!.tenantId, body);
    });

    scope.get<Params>('/v1/containers', async (request) => {
      const query = parseRequestBody(containerListQuerySchema, request.query);
      return containers.list(request.principal!.tenantId, {
        limit: query.limit ?? 20,
        order: query.order ?? 'desc',
        after: query.after,
        name: query.name,
      });
    });

    scope.get<Params>('/v1/containers/:id', async (request) =>
      containers.retrieve(request.principal!.tenantId, request.params.id),
    );

    scope.delete<Params>('/v1/containers/:id', async (request) =>
      containers.delete(request.principal!.tenantId, request.params.id),
    );

    scope.post<Params>('/v1/containers/:id/files', async (request) => {
      const tenantId = request.principal!.tenantId;
      if (!request.isMultipart()) {
        const body = parseRequestBody(createContainerFileSchema, request.body);
        return containers.addFileFromId(tenantId, request.params.id, body.file_id);
      }
      const part = await request.file().catch((error: Error) => {
        throw invalidRequest(`Invalid multipart body: ${error.message}`, 'file');
      });
      if (!part)
        throw invalidRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch {
        throw new GatewayError(413, `The file is larger than ${limits.maxUploadBytes} bytes.`, {
          type: 'invalid_request_error',
          param: 'file',
          code: 'file_too_large',
        });
      }
      return containers.addFile(tenantId, request.params.id, part.filename, bytes);
    });

    scope.get<Params>('/v1/containers/:id/files', async (request) => {
      const query = parseRequestBody(listQuerySchema, request.query);
      return containers.listFiles(request.principal!.tenantId, request.params.id, {
        limit: query.limit ?? 20,
        order: query.order ?? 'desc',
        after: query.after,
      });
    });

    scope.get<Params>('/v1/containers/:id/files/:fileId', async (request) =>
      containers.getFile(request.principal!.tenantId, request.params.id, request.params.fileId),
    );

    scope.get<Params>('/v1/containers/:id/files/:fileId/content', async (request, reply) => {
      const { file, stream } = await containers.fileContent(
        request.principal!.tenantId,
        request.params.id,
        request.params.fileId,
      );
      const extension = file.path.split('.').pop()?.toLowerCase() ?? '';
      return reply
        .type(MEDIA_TYPES[extension] ?? 'application/octet-stream')
        .header('content-length', file.bytes)
        .send(stream);
    });

    scope.delete<Params>('/v1/containers/:id/files/:fileId', async (request) =>
      containers.deleteFile(request.principal!.tenantId, request.params.id, request.params.fileId),
    );
  });
}
