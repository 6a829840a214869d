/** HttpClient's body-less reads (postForText, postStreaming) against a real local server. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { type ChunkReader, HttpClient, type PostOptions } from '../../../src/providers/shared/http-client.js';

let server: Server;
let base: string;
let handle: (req: IncomingMessage, res: ServerResponse) => void = () => {};
const http = new HttpClient({ connections: undefined, headersTimeoutMs: 2000, bodyTimeoutMs: 2000 });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function options(path: string, signal = new AbortController().signal): PostOptions {
  return { url: new URL(`${base}${path}`), headers: {}, body: '{}', signal, provider: 'up' };
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HttpClient.postForText', () => {
  it('reads the whole answer as UTF-8, without a leading byte-order mark', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.from([0xef, 0xbb, 0xbf]));
      res.write('{"a":"h');
      res.end('é"}');
    };
    const response = await http.postForText(options('/ok'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.text).toBe('{"a":"hé"}');
  });

  it('turns a refusal into the same UpstreamError as post', async () => {
    handle = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end('{"error":{"message":"slow down","code":"rate_limit_exceeded"}}');
    };
    const viaText = await http.postForText(options('/limited')).catch((error: unknown) => error);
    const viaPost = await http.post(options('/limited')).catch((error: unknown) => error);
    expect(viaText).toBeInstanceOf(UpstreamError);
    expect(viaText).toEqual(viaPost);
    expect(viaText).toMatchObject({ status: 429, retryAfterMs: 2000 });
  });

  it('rejects with the abort reason when aborted while waiting', async () => {
    handle = () => {};
    const abort = new AbortController();
    const pending = http.postForText(options('/hang', abort.signal));
    await tick();
    const reason = new Error('client went away');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('maps a refused connection to upstream_unavailable', async () => {
    const closed = new HttpClient({ connections: undefined, headersTimeoutMs: 500, bodyTimeoutMs: 500 });
    const error = await closed
      .postForText({ ...options('/x'), url: new URL('http://127.0.0.1:1/x') })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'upstream_unavailable' });
    await closed.close();
  });
});

describe('HttpClient.postStreaming', () => {
  it('hands the chunks over in order, by iteration or pushed to a reader', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('one ');
      setTimeout(() => res.end('two'), 10);
    };
    const iterated = await http.postStreaming(options('/stream'));
    let text = '';
    for await (const chunk of iterated.body) text += chunk.toString();
    expect(text).toBe('one two');

    const pushed = await http.postStreaming(options('/stream'));
    const got = await new Promise<string>((resolve, reject) => {
      let all = '';
      const reader: ChunkReader = {
        chunk: (chunk) => {
          all += chunk.toString();
          return true;
        },
        end: () => resolve(all),
        error: reject,
      };
      pushed.body.read(reader);
    });
    expect(got).toBe('one two');
  });

  it('reads a non-stream answer whole with text()', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"whole":true}');
    };
    const response = await http.postStreaming(options('/json'));
    expect(await response.body.text()).toBe('{"whole":true}');
  });

  it('rejects a refusal before any body is handed over', async () => {
    handle = (_req, res) => {
      res.writeHead(500);
      res.end('boom');
    };
    await expect(http.postStreaming(options('/fail'))).rejects.toMatchObject({
      status: 502,
      code: 'upstream_error',
    });
  });

  it('reports an abort mid-stream to the reader, and aborts when the consumer leaves', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('first');
    };
    const abort = new AbortController();
    const response = await http.postStreaming(options('/long', abort.signal));
    const failed = new Promise<Error>((resolve) => {
      response.body.read({ chunk: () => true, end: () => {}, error: resolve });
    });
    const reason = new Error('stop');
    abort.abort(reason);
    expect(await failed).toBe(reason);

    const left = await http.postStreaming(options('/long'));
    const iterator = left.body[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.toString()).toBe('first');
    await iterator.return?.();
    expect((await iterator.next()).done).toBe(true);
  });
});
