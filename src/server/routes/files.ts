/**
 * The Files API: /v1/files. Uploads are multipart, streamed to disk part by part (the file part is
 * never buffered whole); the form's other fields may come before or after it, so they are checked
 * once the body has been read, and the stored bytes are dropped if they fail.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, invalidRequest } from '../../errors.js';
import { FileTooLargeError, type PendingBlob } from '../../files/file-blobs.js';
import type { Files } from '../../files/files.js';
import { listFilesQuerySchema, uploadFieldsSchema } from '../../protocol/files.js';
import { parseRequestBody } from '../validate-request.js';

type Params = { Params: { id: string }; Querystring: Record<string, unknown> };

/** Room for the multipart framing and the small fields around the file's bytes. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export function registerFileRoutes(app: FastifyInstance, files: Files): void {
  app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });

    scope.post('/v1/files', async (request) => {
      const tenantId = request.principal!.tenantId;
      const upload = await readUpload(request, files);
      try {
        const fields = parseRequestBody(uploadFieldsSchema, upload.fields);
        if (!upload.file) {
          throw invalidRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
        }
        return await files.create(tenantId, {
          pending: upload.file.pending,
          filename: upload.file.filename,
          mediaType: upload.file.mediaType,
          purpose: fields.purpose,
          expiresAfterSeconds: fields.expires_after?.seconds,
        });
      } catch (error) {
        if (upload.file) files.blobs.discard(upload.file.pending);
        throw error;
      }
    });
  });

  app.get<Params>('/v1/files', async (request) => {
    const query = parseRequestBody(listFilesQuerySchema, request.query);
    return files.list(request.principal!.tenantId, {
      limit: query.limit ?? 10_000,
      order: query.order ?? 'desc',
      after: query.after,
      purpose: query.purpose,
    });
  });

  app.get<Params>('/v1/files/:id', async (request) =>
    files.retrieve(request.principal!.tenantId, request.params.id),
  );

  app.get<Params>('/v1/files/:id/content', async (request, reply) => {
    const { record, body } = await files.content(request.principal!.tenantId, request.params.id);
    return reply
      .header('content-type', record.media_type)
      .header('content-length', String(record.bytes))
      .header('content-disposition', `attachment; filename="${record.filename.replace(/["\\\r\n]/g, '_')}"`)
      .send(body);
  });

  app.delete<Params>('/v1/files/:id', async (request) =>
    files.delete(request.principal!.tenantId, request.params.id),
  );
}

interface ReceivedUpload {
  file: { pending: PendingBlob; filename: string; mediaType: string | undefined } | undefined;
  /** Text fields; `expires_after[seconds]` becomes `{expires_after: {seconds}}`. */
  fields: Record<string, unknown>;
}

async function readUpload(request: FastifyRequest, files: Files): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw invalidRequest(
      "Invalid Content-Type header: uploads must be sent as 'multipart/form-data'.",
      null,
      'invalid_content_type',
    );
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > files.maxBytes + FORM_OVERHEAD_BYTES) throw tooLarge(files);
  const received: ReceivedUpload = { file: undefined, fields: {} };
  try {
    for await (const part of request.parts({
      limits: { fileSize: files.maxBytes, files: 1, fields: 16, fieldSize: 64 * 1024 },
    })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw invalidRequest(
            `Unknown parameter: '${part.fieldname}'.`,
            part.fieldname,
            'unknown_parameter',
          );
        }
        const pending = await files.receive(part.file);
        received.file = { pending, filename: part.filename || 'upload', mediaType: part.mimetype };
      } else {
        setField(received.fields, part.fieldname, String(part.value));
      }
    }
  } catch (error) {
    if (received.file) files.blobs.discard(received.file.pending);
    throw uploadError(error, files);
  }
  return received;
}

/** `a[b]` nests as the SDKs send objects in forms. */
function setField(fields: Record<string, unknown>, name: string, value: string): void {
  const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(name);
  if (!nested) {
    fields[name] = value;
    return;
  }
  const [, outer, inner] = nested as unknown as [string, string, string];
  const current = fields[outer];
  const object = typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : {};
  object[inner] = value;
  fields[outer] = object;
}

function uploadError(error: unknown, files: Files): unknown {
  if (error instanceof GatewayError) return error;
  if (error instanceof FileTooLargeError) return tooLarge(files);
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(files);
  if (code === 'FST_FILES_LIMIT') {
    return invalidRequest('Only one file can be uploaded per request.', 'file', 'invalid_value');
  }
  return invalidRequest(
    `The multipart body could not be read: ${(error as Error).message ?? 'malformed form data'}.`,
    null,
    'invalid_multipart',
  );
}

function tooLarge(files: Files): GatewayError {
  return new GatewayError(413, `File is too large: the limit is ${files.maxBytes} bytes.`, {
    type: 'invalid_request_error',
    param: 'file',
    code: 'file_too_large',
  });
}
