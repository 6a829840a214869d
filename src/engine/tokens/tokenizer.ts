/**
 * Text → token count. OpenAI-family models get their real BPE encoding from gpt-tokenizer
 * (o200k_base for gpt-4o / 4.1 / 4.5 / 5, the o-series, codex and gpt-oss; cl100k_base for gpt-4 and
 * gpt-3.5). Every other model gets an estimate, flagged `exact: false`: UTF-8 bytes / 4, rounded up
 * (≈ 4 characters a token for English and code, fewer tokens than real for CJK scripts).
 *
 * Encodings are loaded on first use (~150 ms and ~25 MB for o200k_base), not at startup.
 */

export type TokenizerName = 'o200k_base' | 'cl100k_base' | 'estimate';

export interface Tokenizer {
  readonly name: TokenizerName;
  /** False for the estimate: counts are approximate. */
  readonly exact: boolean;
  count(text: string): number;
}

const O200K = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[1-9](-|$)|chatgpt-4o|codex-|gpt-oss|computer-use)/;
const CL100K = /^(gpt-4|gpt-3\.5)/;

/** The encoding an upstream model id uses (`provider/` prefixes and `ft:` are ignored). */
export function tokenizerNameFor(modelId: string): TokenizerName {
  const id = baseModelId(modelId);
  if (O200K.test(id)) return 'o200k_base';
  if (CL100K.test(id)) return 'cl100k_base';
  return 'estimate';
}

/** `openai/gpt-4o` → `gpt-4o`, `ft:gpt-4o-mini:org::id` → `gpt-4o-mini`, lower-cased. */
export function baseModelId(modelId: string): string {
  let id = modelId.toLowerCase();
  if (id.startsWith('ft:')) id = id.slice(3).split(':')[0] ?? id;
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

export const estimateTokenizer: Tokenizer = {
  name: 'estimate',
  exact: false,
  count: (text) => Math.ceil(Buffer.byteLength(text, 'utf8') / 4),
};

/**
 * Counts UTF-8 bytes: an upper bound of every BPE count (a token spans at least one byte) and of
 * the estimate, so a context whose byte count fits needs no real counting.
 */
export const byteUpperBound: Tokenizer = {
  name: 'estimate',
  exact: false,
  count: (text) => Buffer.byteLength(text, 'utf8'),
};

const loading = new Map<TokenizerName, Promise<Tokenizer>>();

export function loadTokenizer(name: TokenizerName): Promise<Tokenizer> {
  if (name === 'estimate') return Promise.resolve(estimateTokenizer);
  let pending = loading.get(name);
  if (!pending) {
    pending = importEncoding(name).then((countTokens) => ({
      name,
      exact: true,
      count: (text: string) => (text === '' ? 0 : countTokens(text)),
    }));
    loading.set(name, pending);
  }
  return pending;
}

async function importEncoding(name: 'o200k_base' | 'cl100k_base'): Promise<(text: string) => number> {
  // Special-token text in user content is counted as plain text, as OpenAI encodes it.
  const options = { disallowedSpecial: new Set<string>() };
  if (name === 'o200k_base') {
    const encoding = await import('gpt-tokenizer/encoding/o200k_base');
    return (text) => encoding.countTokens(text, options);
  }
  const encoding = await import('gpt-tokenizer/encoding/cl100k_base');
  return (text) => encoding.countTokens(text, options);
}
