/**
 * What a response cost: its tokens priced by model. A model is looked up as the client named it,
 * then without a `provider/` prefix, then by the longest known prefix (dated snapshots such as
 * `gpt-4o-2024-08-06` cost what `gpt-4o` costs). Lookups are cached: names come from clients, so
 * the cache is bounded.
 */
import type { PriceConfig } from '../config/config-schema.js';
import { DEFAULT_PRICES } from './default-prices.js';

export interface TokenCounts {
  input: number;
  cached: number;
  output: number;
}

const MAX_CACHED_NAMES = 1000;
const FREE: PriceConfig = { input: 0, output: 0 };

export class PriceTable {
  private readonly prices: Map<string, PriceConfig>;
  /** Known names, longest first, for prefix matches. */
  private readonly byLength: string[];
  private readonly resolved = new Map<string, PriceConfig>();

  constructor(configured: Readonly<Record<string, PriceConfig>> = {}) {
    this.prices = new Map(Object.entries({ ...DEFAULT_PRICES, ...configured }));
    this.byLength = [...this.prices.keys()].sort((a, b) => b.length - a.length);
  }

  priceOf(model: string): PriceConfig {
    const cached = this.resolved.get(model);
    if (cached) return cached;
    const price = this.lookup(model) ?? FREE;
    if (this.resolved.size >= MAX_CACHED_NAMES) this.resolved.clear();
    this.resolved.set(model, price);
    return price;
  }

  /** USD. Cached input tokens are part of the input tokens, priced at the cached rate. */
  cost(model: string, tokens: TokenCounts): number {
    const price = this.priceOf(model);
    const cached = Math.min(tokens.cached, tokens.input);
    return (
      ((tokens.input - cached) * price.input +
        cached * (price.cachedInput ?? price.input) +
        tokens.output * price.output) /
      1_000_000
    );
  }

  private lookup(model: string): PriceConfig | undefined {
    const exact = this.prices.get(model);
    if (exact) return exact;
    const bare = model.slice(model.indexOf('/') + 1);
    const unprefixed = this.prices.get(bare);
    if (unprefixed) return unprefixed;
    const prefix = this.byLength.find((name) => bare.startsWith(`${name}-`));
    return prefix === undefined ? undefined : this.prices.get(prefix);
  }
}
