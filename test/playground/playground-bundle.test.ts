/**
 * The committed bundle is the build of the committed sources (rebuild with
 * `npm run build:playground`), and the gateway serves it: `/` without a key, hashed assets cached
 * for good, unknown paths as the OpenAI 404, the API still behind its key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HASH_FILE, PLAYGROUND_ROOT, playgroundSourceHash } from '../../playground/source-hash.js';
import { PLAYGROUND_DIST } from '../../src/server/routes/playground.js';
import { startTestGateway, TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';

describe('playground bundle', () => {
  it('was built from the current sources (else: npm run build:playground)', () => {
    const built = readFileSync(join(PLAYGROUND_ROOT, 'dist', HASH_FILE), 'utf8').trim();
    expect(built, 'playground/src changed without `npm run build:playground`').toBe(playgroundSourceHash());
  });
});

describe('serving the playground', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ RGW_API_KEYS: TEST_KEY });
  });
  afterAll(() => gw?.close());

  it('serves / without a key, revalidated on every load', async () => {
    const response = await fetch(`${gw.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toBe(readFileSync(join(PLAYGROUND_DIST, 'index.html'), 'utf8'));
    // No CDN: every script and stylesheet comes from this origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the hashed assets with their types, cached as immutable', async () => {
    const html = await (await fetch(`${gw.url}/`)).text();
    const urls = [...html.matchAll(/(?:src|href)="(\/playground\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.some((u) => u.endsWith('.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of urls) {
      const response = await fetch(gw.url + url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        url.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    const head = await fetch(gw.url + urls[0]!, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers an unknown asset with the OpenAI 404 envelope, and keeps /v1 behind the key', async () => {
    for (const path of [
      '/playground/assets/nope.js',
      '/playground/../package.json',
      '/playground/index.html',
    ]) {
      const response = await fetch(gw.url + path);
      expect(response.status).toBe(404);
      const body = (await response.json()) as { error: { type: string } };
      expect(body.error.type).toBe('invalid_request_error');
    }
    const unauthorized = await fetch(`${gw.url}/v1/models`);
    expect(unauthorized.status).toBe(401);
  });
});
