/**
 * Errors fastify and Node raise before any route runs, sent as raw HTTP: every one comes in the
 * OpenAI envelope with the status OpenAI gives, and the gateway keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderClientError } from '../../src/server/error-response.js';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';
import type { JsonBody } from '../helpers/json-body.js';
import { httpText, rawRequest } from '../helpers/raw-http.js';

const AUTH = { authorization: `Bearer ${TEST_KEY}` };
const BODY_LIMIT = 4096;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ config: { bodyLimit: BODY_LIMIT } });
  harness.mock.defaultReply = { kind: 'text', text: 'Still serving.' };
});
afterAll(async () => {
  await harness?.close();
});

function expectEnvelope(body: JsonBody, code: string | null = null): void {
  expect(body).toEqual({
    error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
  });
  expect(body.error.message.length).toBeGreaterThan(0);
}

const send = (data: string | Buffer) => rawRequest(harness.url, data);

function post(body: string, headers: Record<string, string | number> = {}) {
  return send(
    httpText(
      'POST',
      '/v1/responses',
      { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      body,
    ),
  );
}

async function expectStillServing(): Promise<void> {
  const body = JSON.stringify({ model: 'gpt-x', input: 'Hi' });
  const answer = await post(body);
  expect(answer.status).toBe(200);
  expect(answer.body.output_text).toBe('Still serving.');
}

describe('routing errors', () => {
  it('answers a path parameter over the router limit like an unrouted URL: 404, path shortened', async () => {
    const id = `resp_${'a'.repeat(5000)}`;
    const answer = await send(httpText('GET', `/v1/responses/${id}`, AUTH));
    expect(answer.status).toBe(404);
    expectEnvelope(answer.body);
    expect(answer.body.error.message).toMatch(/^Invalid URL \(GET \/v1\/responses\/resp_a+…\)/);
    expect(answer.body.error.message.length).toBeLessThan(300);
    expect(answer.headers['x-request-id']).toMatch(/^req_/);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers a path with broken percent-encoding with a 400', async () => {
    const answer = await send(httpText('GET', '/v1/responses/resp_%E0%A4%A', AUTH));
    expect(answer.status).toBe(400);
    expectEnvelope(answer.body);
    expect(answer.body.error.message).toContain('/v1/responses/resp_%E0%A4%A');
  });

  it.each([
    ['an unknown path', 'GET', '/v1/no-such-thing'],
    ['a known path with another method', 'PUT', '/v1/responses'],
    ['OPTIONS on a known path', 'OPTIONS', '/v1/responses'],
    ['DELETE on a collection', 'DELETE', '/v1/conversations'],
  ])('answers %s with 404 Invalid URL', async (_name, method, path) => {
    const answer = await send(httpText(method, path, { ...AUTH, 'content-length': 0 }));
    expect(answer.status).toBe(404);
    expectEnvelope(answer.body);
    expect(answer.body.error.message).toBe(`Invalid URL (${method} ${path})`);
  });
});

describe('body errors', () => {
  it.each([
    ['malformed JSON', '{"model": "gpt-x", '],
    ['an empty JSON body', ''],
  ])('answers %s with 400', async (_name, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expectEnvelope(answer.body);
    expect(answer.body.error.message).toMatch(/could not parse the JSON body/);
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', ';;;'])(
    'answers content type %s with 415',
    async (type) => {
      const answer = await post('{}', { 'content-type': type });
      expect(answer.status).toBe(415);
      expectEnvelope(answer.body, 'unsupported_media_type');
    },
  );

  it('answers 413 for a body over the limit, declared or streamed in chunks', async () => {
    const big = JSON.stringify({ model: 'gpt-x', input: 'x'.repeat(BODY_LIMIT) });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expectEnvelope(declared.body, 'request_too_large');

    const chunk = big.slice(0, 3000);
    const chunked = await send(
      httpText(
        'POST',
        '/v1/responses',
        { ...AUTH, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        `${chunk.length.toString(16)}\r\n${chunk}\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      ),
    );
    expect(chunked.status).toBe(413);
    expectEnvelope(chunked.body, 'request_too_large');
    await expectStillServing();
  });
});

describe('bytes that are not an HTTP request', () => {
  it.each([
    ['garbage', 'GARBAGE\r\n\r\n'],
    ['an unknown method', 'FROB /v1/responses HTTP/1.1\r\nhost: x\r\n\r\n'],
    ['a bad Content-Length', httpText('POST', '/v1/responses', { 'content-length': 'abc' }, '{}')],
    [
      'both Content-Length and Transfer-Encoding',
      httpText('POST', '/v1/responses', { 'content-length': 2, 'transfer-encoding': 'chunked' }, '{}'),
    ],
  ])('answers %s with 400 in the envelope and closes the connection', async (_name, data) => {
    const answer = await send(data);
    expect(answer.status).toBe(400);
    expectEnvelope(answer.body);
    expect(answer.body.error.message).toMatch(/^The request is not valid HTTP: /);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
  });

  it('answers headers over the limit with 431 in the envelope', async () => {
    const answer = await send(httpText('GET', '/v1/models', { ...AUTH, 'x-big': 'a'.repeat(20_000) }));
    expect(answer.status).toBe(431);
    expectEnvelope(answer.body);
    expect(answer.closed).toBe(true);
    await expectStillServing();
  });

  it('maps what Node reports to its statuses', () => {
    expect(renderClientError({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }).status).toBe(408);
    expect(renderClientError({ code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' }).status).toBe(413);
    const other = renderClientError({ code: 'HPE_INVALID_VERSION', reason: 'Invalid HTTP version' });
    expect(other).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
    expect(other.body.error.message).toBe('The request is not valid HTTP: Invalid HTTP version.');
  });
});
