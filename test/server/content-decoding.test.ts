/**
 * Compressed request bodies: every coding clients send (Codex CLI sends zstd), several in a row, and
 * the failures — an unknown coding (415), data that does not decode (400), a decompression bomb
 * (413 however small on the wire) — each in the OpenAI envelope, the gateway serving on.
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseContentEncoding } from '../../src/server/content-decoding.js';
import {
  createZstdDecoder,
  MAX_ZSTD_WINDOW,
  type ZstdFrameHeader,
  ZstdFrameScanner,
} from '../../src/server/zstd-decoder.js';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';
import type { JsonBody } from '../helpers/json-body.js';
import { httpText, rawRequest } from '../helpers/raw-http.js';

const BODY_LIMIT = 64 * 1024;
const CREATE = { model: 'gpt-x', input: 'Hello from zstd' };
const JSON_BODY = Buffer.from(JSON.stringify(CREATE));

// Made with the zstd CLI (1.5), which Node 20 lacks: `printf … | zstd -c` (stdin: no content
// size, a 2 MB window, a checksum).
const ZSTD_BODY = Buffer.from(
  'KLUv/QRYWQEAeyJtb2RlbCI6ImdwdC14IiwiaW5wdXQiOiJIZWxsbyBmcm9tIHpzdGQifUehkU4=',
  'base64',
);
/** The same body in two frames: `{"model":"gpt-x",` and `"input":"Hello from zstd"}`. */
const ZSTD_TWO_FRAMES = [
  'KLUv/QRYiQAAeyJtb2RlbCI6ImdwdC14IixwBlLZ',
  'KLUv/QRY0QAAImlucHV0IjoiSGVsbG8gZnJvbSB6c3RkIn3CYVUF',
].map((frame) => Buffer.from(frame, 'base64'));
/** 2,000,000 spaces in 82 bytes (`zstd -19`). */
const ZSTD_BOMB = Buffer.from(
  'KLUv/QRoTAAACCABAPz/ORACAgAQIAIAECACABAgAgAQIAIAECACABAgAgAQIAIAECACABAgAgAQIAIAECACABAgAgAQIAIAECADJAQg7mLg7g==',
  'base64',
);
/** A skippable frame (RFC 8878 §3.1.2) holding `abc`. */
const SKIPPABLE = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 0x61, 0x62, 0x63]);

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ config: { bodyLimit: BODY_LIMIT } });
});
beforeEach(() => {
  harness.mock.reset();
  harness.mock.defaultReply = { kind: 'text', text: 'Decoded.' };
});
afterAll(async () => {
  await harness?.close();
});

function post(body: Buffer, headers: Record<string, string | number>) {
  const head = httpText('POST', '/v1/responses', {
    authorization: `Bearer ${TEST_KEY}`,
    'content-type': 'application/json',
    'content-length': body.length,
    ...headers,
  });
  return rawRequest(harness.url, Buffer.concat([Buffer.from(head), body]));
}

/** The upstream got the decoded request and the client its answer. */
function expectDecoded(answer: { status: number; body: JsonBody }): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.output_text).toBe('Decoded.');
  expect(harness.mock.requests).toHaveLength(1);
  expect(JSON.stringify(harness.mock.requests[0]!.body.messages)).toContain('Hello from zstd');
}

function expectError(answer: { status: number; body: JsonBody }, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({
    error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
  });
  expect(harness.mock.requests).toHaveLength(0);
}

describe('decoding', () => {
  it.each([
    ['gzip', gzipSync(JSON_BODY)],
    ['x-gzip', gzipSync(JSON_BODY)],
    ['deflate', deflateSync(JSON_BODY)],
    ['br', brotliCompressSync(JSON_BODY)],
    ['zstd', ZSTD_BODY],
    ['ZSTD', ZSTD_BODY],
    ['identity', JSON_BODY],
  ])('decodes %s', async (coding, body) => {
    expectDecoded(await post(body, { 'content-encoding': coding }));
  });

  it('decodes codings applied one over another, listed in the order applied', async () => {
    const twice = brotliCompressSync(gzipSync(JSON_BODY));
    expectDecoded(await post(twice, { 'content-encoding': 'gzip, br' }));
    harness.mock.reset();
    const thrice = gzipSync(brotliCompressSync(ZSTD_BODY));
    expectDecoded(await post(thrice, { 'content-encoding': 'zstd,identity, br ,gzip' }));
  });

  it('decodes zstd in several frames, skippable frames included', async () => {
    const body = Buffer.concat([ZSTD_TWO_FRAMES[0]!, SKIPPABLE, ZSTD_TWO_FRAMES[1]!]);
    expectDecoded(await post(body, { 'content-encoding': 'zstd' }));
  });

  it('decodes a body sent in chunks of a few bytes', async () => {
    const body = gzipSync(JSON_BODY);
    const head = httpText('POST', '/v1/responses', {
      authorization: `Bearer ${TEST_KEY}`,
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'transfer-encoding': 'chunked',
    });
    const chunks: Buffer[] = [];
    for (let at = 0; at < body.length; at += 5) {
      const piece = body.subarray(at, at + 5);
      chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    const answer = await rawRequest(
      harness.url,
      Buffer.concat([Buffer.from(head), ...chunks, Buffer.from('0\r\n\r\n')]),
    );
    expectDecoded(answer);
  });
});

describe('refusals', () => {
  it('answers an unknown coding with 415 and the codings it takes', async () => {
    const answer = await post(JSON_BODY, { 'content-encoding': 'compress' });
    expectError(answer, 415, 'unsupported_content_encoding');
    expect(answer.body.error.message).toContain("'compress'");
    expect(answer.headers['accept-encoding']).toBe('gzip, deflate, br, zstd');
    const known = await post(gzipSync(JSON_BODY), { 'content-encoding': 'gzip, lz4' });
    expectError(known, 415, 'unsupported_content_encoding');
  });

  it('answers more than three codings with 415', async () => {
    const answer = await post(JSON_BODY, { 'content-encoding': 'gzip, gzip, gzip, gzip' });
    expectError(answer, 415, 'unsupported_content_encoding');
  });

  it.each([
    ['gzip', Buffer.from('this is not gzip')],
    ['gzip', gzipSync(JSON_BODY).subarray(0, 12)],
    ['deflate', deflateRawSync(JSON_BODY)],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['zstd', Buffer.from('this is not zstd at all')],
    ['zstd', ZSTD_BODY.subarray(0, ZSTD_BODY.length - 6)],
    ['gzip, br', brotliCompressSync(Buffer.from('not gzip inside'))],
  ])('answers %s data that does not decode with 400', async (coding, body) => {
    const answer = await post(body, { 'content-encoding': coding });
    expectError(answer, 400, 'invalid_content_encoding');
    expect(answer.body.error.message).toMatch(/^The request body is not valid (gzip|deflate|br|zstd) data/);
  });

  it.each([
    ['gzip', gzipSync(Buffer.alloc(10_000_000, 32))],
    ['br', brotliCompressSync(Buffer.alloc(10_000_000, 32))],
    ['zstd', ZSTD_BOMB],
    ['gzip, br', brotliCompressSync(gzipSync(Buffer.alloc(10_000_000, 32)))],
  ])('answers a %s bomb with 413 at the decoded limit, at once', async (coding, body) => {
    expect(body.length).toBeLessThan(BODY_LIMIT);
    const started = Date.now();
    const answer = await post(body, { 'content-encoding': coding });
    expectError(answer, 413, 'request_too_large');
    expect(answer.body.error.message).toContain(`more than ${BODY_LIMIT} bytes`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a zstd window over 8 MB (RFC 9659) before allocating it', async () => {
    // The stdin frame with its window descriptor raised from 2 MB to 16 MB (`zstd --long=24`).
    const wide = Buffer.from(ZSTD_BODY);
    wide[5] = 0x70;
    const answer = await post(wide, { 'content-encoding': 'zstd' });
    expectError(answer, 400, 'invalid_content_encoding');
    expect(answer.body.error.message).toContain('8 MB');
  });

  it('survives a body nobody reads failing to decode (415 for its content type first)', async () => {
    // Found by the fuzzer: the decode error came after the answer, unheard, and would end the process.
    const answer = await post(JSON_BODY, { 'content-encoding': 'zstd', 'content-type': 'text/html' });
    expectError(answer, 415, 'unsupported_media_type');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expectDecoded(await post(gzipSync(JSON_BODY), { 'content-encoding': 'gzip' }));
  });

  it('keeps serving on the same gateway after every refusal', async () => {
    expectDecoded(await post(gzipSync(JSON_BODY), { 'content-encoding': 'gzip' }));
  });
});

describe('parts', () => {
  it('parses Content-Encoding in the order applied, dropping identity', () => {
    expect(parseContentEncoding('identity')).toEqual([]);
    expect(parseContentEncoding(' GZIP , identity,br')).toEqual(['gzip', 'br']);
    expect(() => parseContentEncoding('gzip, *')).toThrow(/'\*'/);
  });

  it('reads zstd frame headers wherever the chunks split them', () => {
    const body = Buffer.concat([ZSTD_TWO_FRAMES[0]!, SKIPPABLE, ZSTD_TWO_FRAMES[1]!, ZSTD_BODY]);
    for (const size of [1, 2, 3, 7, body.length]) {
      const frames: ZstdFrameHeader[] = [];
      const scanner = new ZstdFrameScanner((frame) => frames.push(frame));
      for (let at = 0; at < body.length; at += size) scanner.scan(body.subarray(at, at + size));
      expect(frames).toEqual([
        { windowSize: 2 * 1024 * 1024, singleSegment: false, contentSize: undefined },
        { windowSize: 2 * 1024 * 1024, singleSegment: false, contentSize: undefined },
        { windowSize: 2 * 1024 * 1024, singleSegment: false, contentSize: undefined },
      ]);
    }
    // `zstd file` (size known): a single-segment frame, its window its 43-byte content.
    const single = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x2b]);
    const frames: ZstdFrameHeader[] = [];
    new ZstdFrameScanner((frame) => frames.push(frame)).scan(single);
    expect(frames).toEqual([{ windowSize: 43, singleSegment: true, contentSize: 43 }]);
  });

  it('refuses a zstd frame that declares more than the limit before decoding it', async () => {
    // Single segment, a 4-byte content size of 16 MB, then nothing: refused at the header.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 1]);
    const decoder = createZstdDecoder(BODY_LIMIT);
    const failed = new Promise<Error>((resolve) => decoder.on('error', resolve));
    decoder.end(header);
    expect((await failed).message).toMatch(/declares 16777216 bytes/);
    expect(MAX_ZSTD_WINDOW).toBe(8 * 1024 * 1024);
  });
});
