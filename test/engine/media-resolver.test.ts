/** The media resolver on its own: sources by kind, what is fetched and what is not, param names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaParams } from '../../src/engine/media/media-params.js';
import { MediaResolver } from '../../src/engine/media/resolve-media.js';
import { GuardedFetcher } from '../../src/net/guarded-fetcher.js';
import type { InputItem } from '../../src/protocol/create-response.js';
import { type MediaServer, startMediaServer } from '../mocks/media-server.js';

let media: MediaServer;
let fetcher: GuardedFetcher;
let resolver: MediaResolver;

beforeAll(async () => {
  media = await startMediaServer({
    '/doc.pdf': { body: '%PDF-1', contentType: 'application/octet-stream' },
    '/cat.png': { body: 'png', contentType: 'image/png' },
  });
  fetcher = new GuardedFetcher({ allow: ['127.0.0.1'] });
  resolver = new MediaResolver({
    fetcher,
    files: {
      get: (_tenant, id) =>
        id === 'file-1'
          ? { filename: 'n.txt', mediaType: 'text/plain', bytes: new TextEncoder().encode('hi') }
          : undefined,
    },
    maxBytes: 1024,
    timeoutMs: 2_000,
  });
});
afterAll(async () => {
  await fetcher.close();
  await media.close();
});

function message(...content: unknown[]): InputItem {
  return { role: 'user', content } as unknown as InputItem;
}

const anywhere = () => (field: string) => `x.${field}`;

describe('MediaResolver', () => {
  it('returns the shared empty table when there is no media', async () => {
    const table = await resolver.resolve([message({ type: 'input_text', text: 'hi' })], {
      tenantId: 't',
      urls: { images: false, files: false },
      paramOf: anywhere,
    });
    expect(table.size).toBe(0);
  });

  it('resolves data, bare base64, file ids and URLs by the upstream URL policy', async () => {
    const parts = [
      { type: 'input_image', image_url: 'data:image/gif;base64,R0lG', detail: 'high' },
      { type: 'input_file', file_data: 'JVBERi0=', filename: 'raw.pdf' },
      { type: 'input_file', file_id: 'file-1' },
      { type: 'input_image', image_url: `${media.url}/cat.png` },
      { type: 'input_file', file_url: `${media.url}/doc.pdf` },
    ];
    const table = await resolver.resolve([message(...parts)], {
      tenantId: 't',
      urls: { images: true, files: false },
      paramOf: anywhere,
    });
    expect(parts.map((part) => table.get(part))).toEqual([
      { type: 'image', source: { kind: 'data', mediaType: 'image/gif', base64: 'R0lG' }, detail: 'high' },
      {
        type: 'file',
        source: { kind: 'data', mediaType: 'application/pdf', base64: 'JVBERi0=' },
        filename: 'raw.pdf',
      },
      {
        type: 'file',
        source: { kind: 'data', mediaType: 'text/plain', base64: Buffer.from('hi').toString('base64') },
        filename: 'n.txt',
      },
      // Images go on as URLs; files are fetched, octet-stream typed by the URL's extension.
      { type: 'image', source: { kind: 'url', url: `${media.url}/cat.png` }, detail: 'auto' },
      {
        type: 'file',
        source: {
          kind: 'data',
          mediaType: 'application/pdf',
          base64: Buffer.from('%PDF-1').toString('base64'),
        },
      },
    ]);
    expect(media.hits.get('/cat.png')).toBeUndefined();
    expect(media.hits.get('/doc.pdf')).toBe(1);
  });

  it("fetches nothing under 'all' (checks without a call)", async () => {
    media.hits.clear();
    const part = { type: 'input_image', image_url: `${media.url}/cat.png` };
    const table = await resolver.resolve([message(part)], { tenantId: 't', urls: 'all', paramOf: anywhere });
    expect(table.get(part)?.source).toEqual({ kind: 'url', url: `${media.url}/cat.png` });
    expect(media.hits.size).toBe(0);
  });

  it('stops fetching when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client gone'));
    const part = { type: 'input_image', image_url: `${media.url}/cat.png` };
    await expect(
      resolver.resolve([message(part)], {
        tenantId: 't',
        urls: { images: false, files: false },
        paramOf: anywhere,
        signal: controller.signal,
      }),
    ).rejects.toThrow('client gone');
  });
});

describe('mediaParams', () => {
  it("names the client's parts by path, prompt variables by name, others by the earlier param", () => {
    const image = { type: 'input_image', image_url: 'https://a/b.png' };
    const output = { type: 'input_image', image_url: 'https://a/c.png' };
    const variable = { type: 'input_file', file_id: 'f' };
    const paramOf = mediaParams(
      {
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'hi' }, image] },
          { type: 'function_call_output', call_id: 'c', output: [output] },
        ],
        prompt: { variables: { doc: variable } },
      },
      'previous_response_id',
    );
    expect(paramOf(image)('image_url')).toBe('input[0].content[1].image_url');
    expect(paramOf(output)('image_url')).toBe('input[1].output[0].image_url');
    expect(paramOf(variable)('file_id')).toBe('prompt.variables.doc.file_id');
    expect(paramOf({})('image_url')).toBe('previous_response_id');
  });
});
