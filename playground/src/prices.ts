/**
 * A turn's cost, priced as the gateway prices its usage rows: the rates come from
 * GET /playground/prices for the model the response names (the Response object carries no cost),
 * the arithmetic is the price table's own (cached input tokens are part of the input tokens).
 */
import { gateway } from './api.js';
import type { Json } from './fold.js';

/** USD per million tokens. */
export interface Price {
  input: number;
  cached_input: number;
  output: number;
}

const known = new Map<string, Promise<Price | null>>();

/** The model's price, asked once per page (null when the gateway cannot say). */
export function priceOf(model: string): Promise<Price | null> {
  let price = known.get(model);
  if (!price) {
    price = gateway<{ data: Price[] }>('GET', `/playground/prices?model=${encodeURIComponent(model)}`)
      .then((list) => list.data[0] ?? null)
      .catch(() => {
        known.delete(model);
        return null;
      });
    known.set(model, price);
  }
  return price;
}

export interface Tokens {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

export function tokensOf(usage: Json): Tokens {
  return {
    input: usage.input_tokens ?? 0,
    cached: usage.input_tokens_details?.cached_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    reasoning: usage.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** USD. */
export function costOf(price: Price, tokens: Tokens): number {
  const cached = Math.min(tokens.cached, tokens.input);
  return (
    ((tokens.input - cached) * price.input + cached * price.cached_input + tokens.output * price.output) /
    1_000_000
  );
}

/** Small sums keep their significant digits: $0.000123, $1.23. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.000001) return '<$0.000001';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(3).replace(/\.?0+$/, '')}`;
}
