/**
 * Images and files through the gateway: one gateway in front of a Chat Completions upstream (takes
 * image URLs, not file URLs) and a Gemini upstream (takes neither), with media served from
 * 127.0.0.1. Names resolve through an injected lookup: `media.test` (allowed) and `evil.test`
 * (not) both map to 127.0.0.1, so only the allow list decides, and nothing leaves the machine.
 */

import { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FileContentSource } from '../../src/engine/media/file-content-source.js';
import { sdkClient, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { type MockGeminiUpstream, startMockGeminiUpstream } from '../mocks/gemini-mock.js';
import { type MediaServer, startMediaServer } from '../mocks/media-server.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PDF = Buffer.from('%PDF-1.4 test document');

let chat: MockChatUpstream;
let gemini: MockGeminiUpstream;
let media: MediaServer;
let gw: TestGateway;
/** The same upstreams, with file ids read from the gateway's own Files API. */
let bare: TestGateway;
let allowed: string;
let blocked: string;

const files: FileContentSource = {
  get: async (_tenantId, fileId) => {
    if (fileId === 'file-report') return { filename: 'report.pdf', mediaType: 'application/pdf', bytes: PDF };
    if (fileId === 'file-photo') return { filename: 'photo.png', mediaType: 'image/png', bytes: PNG };
    return undefined;
  },
};

const lookup = async (hostname: string) => {
  if (hostname === 'media.test' || hostname === 'evil.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

beforeAll(async () => {
  chat = await startMockChatUpstream();
  gemini = await startMockGeminiUpstream({ apiKey: 'k' });
  media = await startMediaServer({
    '/cat.png': { body: PNG, contentType: 'image/png' },
    '/report.pdf': { body: PDF, contentType: 'application/pdf' },
    '/page.html': { body: '<html></html>', contentType: 'text/html' },
    '/to-metadata': { redirect: 'http://169.254.169.254/latest/meta-data/' },
    // Refused before connecting: the port does not matter.
    '/to-evil': { redirect: 'http://evil.test/cat.png' },
  });
  allowed = `http://media.test:${media.port}`;
  blocked = `http://evil.test:${media.port}`;
  const env = {
    OPENAI_BASE_URL: chat.baseUrl,
    OPENAI_API_KEY: 'k',
    GEMINI_BASE_URL: gemini.url,
    GEMINI_API_KEY: 'k',
    RGW_OUTBOUND_ALLOW: 'media.test',
  };
  gw = await startTestGateway(env, undefined, { lookup, files });
  // Its own Files API behind this one.
  bare = await startTestGateway(env, undefined, { lookup });
});

beforeEach(() => {
  chat.reset();
  gemini.reset();
  chat.defaultReply = { kind: 'text', text: 'A cat.' };
  gemini.defaultReply = { kind: 'text', text: 'A cat.' };
  media.hits.clear();
});

afterAll(async () => {
  await gw?.close();
  await bare?.close();
  await chat?.close();
  await gemini?.close();
  await media?.close();
});

function ask(model: string, part: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    model,
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, part] }],
    ...extra,
  };
}

function expect400(body: { error: Record<string, unknown> }, param: string, code?: string) {
  expect(body.error).toMatchObject({ type: 'invalid_request_error', param, ...(code ? { code } : {}) });
}

function upstreamCalls(): number {
  return chat.requests.length + gemini.requests.length;
}

describe('input_image by URL', () => {
  it('is fetched and sent inline for an upstream that cannot take URLs (Gemini)', async () => {
    const { status, body } = await gw.post(
      '/v1/responses',
      ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: `${allowed}/cat.png` }),
    );
    expect(status).toBe(200);
    expect(body.output_text).toBe('A cat.');
    expect(gemini.requests[0]!.body.contents[0].parts[1]).toEqual({
      inlineData: { mimeType: 'image/png', data: PNG.toString('base64') },
    });
    expect(media.hits.get('/cat.png')).toBe(1);
    // The stored input keeps what the client sent.
    const items = await gw.get(`/v1/responses/${body.id}/input_items`);
    expect(items.body.data[0].content[1]).toMatchObject({ image_url: `${allowed}/cat.png` });
  });

  it('goes on as a URL to an upstream that fetches it itself, unfetched by the gateway', async () => {
    const url = `${blocked}/cat.png`;
    const { status } = await gw.post('/v1/responses', ask('gpt-x', { type: 'input_image', image_url: url }));
    expect(status).toBe(200);
    expect(chat.requests[0]!.body.messages[0].content[1]).toEqual({
      type: 'image_url',
      image_url: { url, detail: 'auto' },
    });
    expect(media.hits.size).toBe(0);
  });

  it('is refused with a 400 naming the param when its address is blocked, before any upstream call', async () => {
    const { status, body } = await gw.post(
      '/v1/responses',
      ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: `${blocked}/cat.png` }),
    );
    expect(status).toBe(400);
    expect400(body, 'input[0].content[1].image_url', 'invalid_image_url');
    expect(body.error.message).toContain('127.0.0.1');
    expect(upstreamCalls()).toBe(0);
    expect(media.hits.size).toBe(0);
  });

  it.each([
    ['a metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['an IPv6 loopback', 'http://[::1]/cat.png'],
    ['a decimal IPv4 literal', 'http://2130706433/cat.png'],
  ])('refuses %s', async (_name, url) => {
    const { status, body } = await gw.post(
      '/v1/responses',
      ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: url }),
    );
    expect(status).toBe(400);
    expect400(body, 'input[0].content[1].image_url', 'invalid_image_url');
    expect(upstreamCalls()).toBe(0);
  });

  it('re-checks redirects: an allowed host redirecting to metadata or a blocked host is refused', async () => {
    for (const path of ['/to-metadata', '/to-evil']) {
      const { status, body } = await gw.post(
        '/v1/responses',
        ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: `${allowed}${path}` }),
      );
      expect(status).toBe(400);
      expect400(body, 'input[0].content[1].image_url', 'invalid_image_url');
      expect(body.error.message).toMatch(/does not fetch from/);
    }
    expect(media.hits.get('/to-metadata')).toBe(1);
    expect(media.hits.get('/cat.png')).toBeUndefined();
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses what is not an image, and a missing one', async () => {
    for (const path of ['/page.html', '/missing.png']) {
      const { status, body } = await gw.post(
        '/v1/responses',
        ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: `${allowed}${path}` }),
      );
      expect(status).toBe(400);
      expect400(body, 'input[0].content[1].image_url', 'invalid_image_url');
    }
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses a blocked URL of a streaming request with an HTTP 400, not a stream', async () => {
    const result = await gw.stream(
      ask('gemini/gemini-2.5-flash', { type: 'input_image', image_url: `${blocked}/cat.png` }),
    );
    expect(result.status).toBe(400);
    expect(JSON.parse(result.raw).error.param).toBe('input[0].content[1].image_url');
    expect(upstreamCalls()).toBe(0);
  });

  it('names the param of an image in a function_call_output', async () => {
    const { status, body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'screenshot', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c1',
          output: [{ type: 'input_image', image_url: `${blocked}/cat.png` }],
        },
      ],
    });
    expect(status).toBe(400);
    expect400(body, 'input[1].output[0].image_url', 'invalid_image_url');
  });

  it('names previous_response_id for an image of an earlier turn', async () => {
    // The first turn went to an upstream that fetches URLs itself; the next goes to one that does not.
    const first = await gw.post(
      '/v1/responses',
      ask('gpt-x', { type: 'input_image', image_url: `${blocked}/cat.png` }),
    );
    expect(first.status).toBe(200);
    const { status, body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      previous_response_id: first.body.id,
      input: 'And now?',
    });
    expect(status).toBe(400);
    expect400(body, 'previous_response_id', 'invalid_image_url');
    expect(gemini.requests).toHaveLength(0);
  });
});

describe('URL schemes', () => {
  it.each([
    ['gemini/gemini-2.5-flash', { type: 'input_image', image_url: 'gs://bucket/cat.png' }, 'image_url'],
    ['gpt-x', { type: 'input_image', image_url: 'gs://bucket/cat.png' }, 'image_url'],
    ['gemini/gemini-2.5-flash', { type: 'input_file', file_url: 'file:///etc/passwd' }, 'file_url'],
    ['gpt-x', { type: 'input_file', file_url: 'ftp://media.test/report.pdf' }, 'file_url'],
  ])('%s: refuses %j with a 400 naming the field', async (model, part, field) => {
    const { status, body } = await gw.post('/v1/responses', ask(model, part));
    expect(status).toBe(400);
    expect400(body, `input[0].content[1].${field}`, 'invalid_value');
    expect(body.error.message).toMatch(/http, https and data URLs/);
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses a malformed data URL', async () => {
    const { status } = await gw.post(
      '/v1/responses',
      ask('gpt-x', { type: 'input_image', image_url: 'data:image/png,base64' }),
    );
    // A data URL without ;base64 is text, re-encoded; one of another type is not an image.
    expect(status).toBe(200);
    const bad = await gw.post('/v1/responses', ask('gpt-x', { type: 'input_image', image_url: 'data:' }));
    expect(bad.status).toBe(400);
    expect400(bad.body, 'input[0].content[1].image_url', 'invalid_value');
    const notImage = await gw.post(
      '/v1/responses',
      ask('gpt-x', { type: 'input_image', image_url: 'data:application/pdf;base64,JVBERi0=' }),
    );
    expect(notImage.status).toBe(400);
    expect400(notImage.body, 'input[0].content[1].image_url', 'invalid_value');
  });
});

describe('input_file', () => {
  it('by URL is fetched for Chat Completions, which takes file_data only', async () => {
    const { status } = await gw.post(
      '/v1/responses',
      ask('gpt-x', { type: 'input_file', file_url: `${allowed}/report.pdf`, filename: 'report.pdf' }),
    );
    expect(status).toBe(200);
    expect(chat.requests[0]!.body.messages[0].content[1]).toEqual({
      type: 'file',
      file: { file_data: `data:application/pdf;base64,${PDF.toString('base64')}`, filename: 'report.pdf' },
    });
  });

  it('by file_data is parsed once in the engine, for every upstream alike', async () => {
    const data = `data:application/pdf;base64,${PDF.toString('base64')}`;
    await gw.post('/v1/responses', ask('gpt-x', { type: 'input_file', file_data: data, filename: 'a.pdf' }));
    await gw.post(
      '/v1/responses',
      ask('gemini/gemini-2.5-flash', { type: 'input_file', file_data: data, filename: 'a.pdf' }),
    );
    expect(chat.requests[0]!.body.messages[0].content[1].file.file_data).toBe(data);
    expect(gemini.requests[0]!.body.contents[0].parts[1]).toEqual({
      inlineData: { mimeType: 'application/pdf', data: PDF.toString('base64') },
    });
  });
});

describe('file_id', () => {
  it('reads known files from the FileContentSource and sends them inline', async () => {
    const { status } = await gw.post('/v1/responses', {
      model: 'gpt-x',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare.' },
            { type: 'input_file', file_id: 'file-report' },
            { type: 'input_image', file_id: 'file-photo', detail: 'low' },
          ],
        },
      ],
    });
    expect(status).toBe(200);
    expect(chat.requests[0]!.body.messages[0].content.slice(1)).toEqual([
      {
        type: 'file',
        file: { file_data: `data:application/pdf;base64,${PDF.toString('base64')}`, filename: 'report.pdf' },
      },
      {
        type: 'image_url',
        image_url: { url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'low' },
      },
    ]);
  });

  it('refuses an unknown id with a 400 naming its file_id', async () => {
    for (const part of [
      { type: 'input_file', file_id: 'file-nope' },
      { type: 'input_image', file_id: 'file-nope' },
    ]) {
      const { status, body } = await gw.post('/v1/responses', ask('gpt-x', part));
      expect(status).toBe(400);
      expect400(body, 'input[0].content[1].file_id', 'file_not_found');
      expect(body.error.message).toContain('file-nope');
    }
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses a file that is not an image as input_image', async () => {
    const { status, body } = await gw.post(
      '/v1/responses',
      ask('gpt-x', { type: 'input_image', file_id: 'file-report' }),
    );
    expect(status).toBe(400);
    expect400(body, 'input[0].content[1].file_id', 'invalid_value');
  });

  it('reads files uploaded to the Files API, and refuses them once deleted', async () => {
    const client = sdkClient(bare);
    const pdf = await client.files.create({ file: await toFile(PDF, 'upload.pdf'), purpose: 'user_data' });
    const png = await client.files.create({ file: await toFile(PNG, 'shot.png'), purpose: 'vision' });
    const { status } = await bare.post('/v1/responses', {
      model: 'gpt-x',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_file', file_id: pdf.id },
            { type: 'input_image', file_id: png.id },
          ],
        },
      ],
    });
    expect(status).toBe(200);
    expect(chat.requests[0]!.body.messages[0].content).toEqual([
      {
        type: 'file',
        file: { file_data: `data:application/pdf;base64,${PDF.toString('base64')}`, filename: 'upload.pdf' },
      },
      {
        type: 'image_url',
        image_url: { url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'auto' },
      },
    ]);
    await client.files.delete(pdf.id);
    const gone = await bare.post('/v1/responses', ask('gpt-x', { type: 'input_file', file_id: pdf.id }));
    expect(gone.status).toBe(400);
    expect400(gone.body, 'input[0].content[1].file_id', 'file_not_found');
  });

  it('refuses an id the Files API does not have, also in background mode and input_tokens', async () => {
    const part = { type: 'input_file', file_id: 'file-report' };
    for (const [path, extra] of [
      ['/v1/responses', {}],
      ['/v1/responses', { background: true }],
      ['/v1/responses/input_tokens', {}],
    ] as const) {
      const { status, body } = await bare.post(path, ask('gpt-x', part, extra));
      expect(status).toBe(400);
      expect400(body, 'input[0].content[1].file_id', 'file_not_found');
    }
    expect(upstreamCalls()).toBe(0);
  });
});
