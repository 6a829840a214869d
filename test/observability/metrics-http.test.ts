import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';

const metricValue = (text: string, name: string, labels: string): number => {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('metrics, request ids and redaction', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.mock.defaultReply = { kind: 'text', text: 'ok', usage: { prompt_tokens: 10, completion_tokens: 5 } };
  });
  afterAll(() => h.close());

  const scrape = async () => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('moves request, token and TTFT metrics with each response', async () => {
    const before = await scrape();
    expect((await h.post('/v1/responses', { model: 'gpt-4o', input: 'hi' })).status).toBe(200);
    expect((await h.stream({ model: 'gpt-4o', input: 'hi' })).status).toBe(200);
    const after = await scrape();
    const requests = (t: string) =>
      metricValue(
        t,
        'rgw_http_requests_total',
        'route="/v1/responses",method="POST",status="200",model="gpt-4o"',
      );
    expect(requests(after) - requests(before)).toBe(2);
    const tokens = (t: string) =>
      metricValue(t, 'rgw_tokens_total', 'model="gpt-4o",provider="openai",kind="output"');
    expect(tokens(after) - tokens(before)).toBe(10);
    expect(metricValue(after, 'rgw_response_ttft_seconds_count', 'model="gpt-4o"')).toBeGreaterThanOrEqual(2);
    expect(after).toContain('rgw_active_streams 0');
    expect(after).toContain('rgw_background_queue_depth 0');
    expect(after).toMatch(/rgw_circuit_breaker_state\{target="openai\/gpt-4o"\} 0/);
  });

  it('counts upstream errors by provider and code', async () => {
    h.mock.defaultReply = {
      kind: 'http-error',
      status: 400,
      body: { error: { message: 'bad', type: 'invalid_request_error', code: 'bad_thing' } },
    };
    const res = await h.post('/v1/responses', { model: 'gpt-4o', input: 'hi' });
    expect(res.status).toBe(400);
    const text = await scrape();
    expect(metricValue(text, 'rgw_upstream_errors_total', 'provider="openai"')).toBeGreaterThanOrEqual(1);
    h.mock.defaultReply = { kind: 'text', text: 'ok' };
  });

  it('keeps a client’s x-request-id and makes one otherwise', async () => {
    const own = await h.post(
      '/v1/responses',
      { model: 'm', input: 'hi' },
      { 'x-request-id': 'client-abc-123' },
    );
    expect(own.headers.get('x-request-id')).toBe('client-abc-123');
    const streamed = await fetch(`${h.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x', 'x-request-id': 'stream-1' },
      body: JSON.stringify({ model: 'm', input: 'hi', stream: true }),
    });
    await streamed.text();
    expect(streamed.headers.get('x-request-id')).toBe('stream-1');
    const made = await h.get('/v1/models');
    expect(made.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{48}$/);
    const bad = await h.get('/v1/models', { 'x-request-id': 'has space' });
    expect(bad.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('redacts keys and secrets in log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger('info', sink);
    logger.info(
      {
        headers: { authorization: 'Bearer sk-secret-1' },
        provider: { apiKey: 'sk-secret-2' },
        key: 'rgw-secret-3',
      },
      'configured',
    );
    const text = lines.join('');
    expect(text).toContain('configured');
    expect(text).not.toMatch(/secret/);
    expect(text).toContain('[redacted]');
  });
});
