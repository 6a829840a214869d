/**
 * An OpenAI-compatible images service on 127.0.0.1 (ephemeral port): `POST /v1/images/generations`
 * answers one tiny PNG as base64 — as JSON, or as server-sent events with `partial_images` partials
 * first when the request streams (unless `streams: false`, a service that cannot). A prompt with
 * `refuse` in it gets a 400 in OpenAI's error envelope. Records every request body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonBody } from '../helpers/json-body.js';

export const PNG_B64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const partialB64 = (index: number) => Buffer.from(`partial-${index}`).toString('base64');

export interface ImagesMock {
  /** Ends in `/v1`. */
  baseUrl: string;
  requests: JsonBody[];
  close(): Promise<void>;
}

export async function startImagesMock(options: { streams?: boolean | 'refuses' } = {}): Promise<ImagesMock> {
  const requests: JsonBody[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/images/generations') return void res.writeHead(404).end();
    const body = JSON.parse(text) as JsonBody;
    requests.push({ ...body, authorization: req.headers.authorization ?? null });
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
    if (body.stream === true && options.streams === undefined) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < Number(body.partial_images ?? 0); i++) {
        const event = {
          type: 'image_generation.partial_image',
          b64_json: partialB64(i),
          partial_image_index: i,
          created_at: 1,
          ...made,
        };
        res.write(`event: image_generation.partial_image\ndata: ${JSON.stringify(event)}\n\n`);
      }
      const done = {
        type: 'image_generation.completed',
        b64_json: PNG_B64,
        created_at: 1,
        ...made,
        usage: { total_tokens: 10 },
      };
      return void res.end(`event: image_generation.completed\ndata: ${JSON.stringify(done)}\n\n`);
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ created: 1, data: [{ b64_json: PNG_B64 }], ...made, usage: { total_tokens: 10 } }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
