/**
 * GET /playground/prices: what the gateway charges per model, from the same price table its usage
 * rows are priced with, so the playground shows a turn's cost as /admin/usage will count it (the
 * Response object itself carries no cost, as OpenAI's does not). Any key that may call /v1 may read
 * it: configured prices can be negotiated ones, so not for anonymous callers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pricesQuerySchema } from '../../protocol/prices.js';
import type { PriceTable } from '../../usage/price-table.js';
import type { Authenticator } from '../auth.js';
import { parseRequestBody } from '../validate-request.js';
import type { ModelDirectory } from './models.js';

export interface PricesDeps {
  /** The current table (a config reload replaces it). */
  prices: () => PriceTable;
  authenticator: Authenticator;
  models?: ModelDirectory;
}

/** USD per million tokens; `cached_input` is what input tokens served from a prompt cache cost. */
interface ModelPrice {
  object: 'model.price';
  model: string;
  input: number;
  cached_input: number;
  output: number;
}

export function registerPriceRoutes(app: FastifyInstance, deps: PricesDeps): void {
  const guard = async (request: FastifyRequest) => {
    await deps.authenticator.authenticate(request.headers.authorization, request.socket.remoteAddress);
  };
  app.get('/playground/prices', { onRequest: guard }, async (request) => {
    const { model } = parseRequestBody(pricesQuerySchema, request.query ?? {});
    const names = model !== undefined ? [model] : (deps.models?.listModels().map((m) => m.id) ?? []);
    const table = deps.prices();
    const data = names.map((name): ModelPrice => {
      const price = table.priceOf(name);
      return {
        object: 'model.price',
        model: name,
        input: price.input,
        cached_input: price.cachedInput ?? price.input,
        output: price.output,
      };
    });
    return { object: 'list', unit: 'usd_per_million_tokens', data };
  });
}
