/**
 * The playground: `GET /` and its built assets under `/playground/`, read once from
 * `playground/dist` (committed, so a fresh clone serves it without a build step or network).
 * No auth here: the page asks for a key and sends it with its own `/v1` calls.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { renderNoRoute } from '../error-response.js';

/** From src/server/routes and dist/server/routes alike, three levels up is the package root. */
export const PLAYGROUND_DIST = fileURLToPath(new URL('../../../playground/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The page may talk to this origin only; images may also be data: or blob: (code outputs). */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

interface Asset {
  body: Buffer;
  type: string;
  /** Vite names assets by content hash, so they never change under one URL. */
  immutable: boolean;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = relative(dir, path).split(sep).join('/');
        assets.set(url, {
          body: readFileSync(path),
          type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: url.startsWith('assets/'),
        });
      }
    }
  };
  walk(dir);
  return assets;
}

export function registerPlaygroundRoutes(app: FastifyInstance, dir: string = PLAYGROUND_DIST): void {
  const assets = loadAssets(dir);
  const index = assets.get('index.html');
  app.get('/', async (_request, reply) => {
    if (!index) {
      // A checkout without the bundle (deleted dist): say how to get it instead of a bare 404.
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The playground is not built: run `npm run build:playground`.\n');
    }
    return reply
      .type(index.type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(index.body);
  });
  app.get<{ Params: { '*': string } }>('/playground/*', async (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (!asset || request.params['*'] === 'index.html') {
      const rendered = renderNoRoute(request);
      return reply.code(rendered.status).send(rendered.body);
    }
    return reply
      .type(asset.type)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });
}
