/**
 * An OpenAI-compatible images service on 127.0.0.1 (ephemeral port): `POST /v1/images/generations`
 * (JSON) and `POST /v1/images/edits` (multipart/form-data) answer one tiny image as base64 — as
 * JSON, or as server-sent events with `partial_images` partials first when the request streams
 * (unless `streams: false`, a service that cannot; `'refuses'`: one that rejects `stream`). A
 * prompt with `refuse` in it gets a 400 in OpenAI's error envelope. Records every request: the
 * generations' JSON bodies in `requests`, the edits' fields and file parts in `edits`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonBody } from '../helpers/json-body.js';

export const PNG_B64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** What an edit answers, so tests tell an edit's image from a generation's. */
export const EDITED_B64 = Buffer.from('edited-image').toString('base64');
export const partialB64 = (index: number) => Buffer.from(`partial-${index}`).toString('base64');

/** A file part of an edit request. */
export interface SentFile {
  name: string;
  type: string;
  b64: string;
}

export interface EditRecord {
  /** The text fields, as sent. */
  fields: Record<string, string>;
  /** `image` (one) or `image[]` (several). */
  imageField: 'image' | 'image[]';
  images: SentFile[];
  mask: SentFile | null;
  authorization: string | null;
}

export interface ImagesMock {
  /** Ends in `/v1`. */
  baseUrl: string;
  requests: JsonBody[];
  edits: EditRecord[];
  close(): Promise<void>;
}

const PATHS = { '/v1/images/generations': 'image_generation', '/v1/images/edits': 'image_edit' } as const;

export async function startImagesMock(options: { streams?: boolean | 'refuses' } = {}): Promise<ImagesMock> {
  const requests: JsonBody[] = [];
  const edits: EditRecord[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const kind = req.method === 'POST' ? PATHS[req.url as keyof typeof PATHS] : undefined;
    if (!kind) return void res.writeHead(404).end();
    let body: JsonBody;
    if (kind === 'image_edit') {
      const edit = await readEdit(req, Buffer.concat(chunks));
      edits.push(edit);
      body = edit.fields;
    } else {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      requests.push({ ...body, authorization: req.headers.authorization ?? null });
    }
    const stream = body.stream === true || body.stream === 'true';
    if (options.streams === 'refuses' && body.stream !== undefined) {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: "Unknown parameter: 'stream'.",
            type: 'invalid_request_error',
            code: 'unknown_parameter',
            param: 'stream',
          },
        }),
      );
    }
    if (String(body.prompt).includes('refuse')) {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: 'Your request was rejected by the safety system.',
            type: 'image_generation_user_error',
            code: 'moderation_blocked',
            param: null,
          },
        }),
      );
    }
    const made = {
      size: body.size ?? '1024x1024',
      quality: body.quality ?? 'high',
      background: body.background ?? 'opaque',
      output_format: body.output_format ?? 'png',
    };
    const b64 = kind === 'image_edit' ? EDITED_B64 : PNG_B64;
    if (stream && options.streams === undefined) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < Number(body.partial_images ?? 0); i++) {
        const event = {
          type: `${kind}.partial_image`,
          b64_json: partialB64(i),
          partial_image_index: i,
          created_at: 1,
          ...made,
        };
        res.write(`event: ${kind}.partial_image\ndata: ${JSON.stringify(event)}\n\n`);
      }
      const done = {
        type: `${kind}.completed`,
        b64_json: b64,
        created_at: 1,
        ...made,
        usage: { total_tokens: 10 },
      };
      return void res.end(`event: ${kind}.completed\ndata: ${JSON.stringify(done)}\n\n`);
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ created: 1, data: [{ b64_json: b64 }], ...made, usage: { total_tokens: 10 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    edits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Parses the multipart body with the fetch API's own parser (undici's). */
async function readEdit(req: IncomingMessage, bytes: Buffer): Promise<EditRecord> {
  const form = await new Request('http://images.test/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type']) },
    body: bytes,
  }).formData();
  const fields: Record<string, string> = {};
  const images: SentFile[] = [];
  let mask: SentFile | null = null;
  let imageField: EditRecord['imageField'] = 'image';
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      fields[name] = value;
      continue;
    }
    const file = {
      name: value.name,
      type: value.type,
      b64: Buffer.from(await value.arrayBuffer()).toString('base64'),
    };
    if (name === 'mask') mask = file;
    else {
      if (name === 'image[]') imageField = 'image[]';
      images.push(file);
    }
  }
  return { fields, imageField, images, mask, authorization: req.headers.authorization ?? null };
}
