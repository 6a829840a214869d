/**
 * Token counts for chunking, in o200k_base (the encoding of OpenAI's current models, so that
 * `max_chunk_size_tokens` means what it means there). Loaded on first use (~150 ms).
 */
export type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

export function loadTokenCounter(): Promise<CountTokens> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((encoding) => {
    // Special-token text in documents is plain text.
    const options = { disallowedSpecial: new Set<string>() };
    return (text: string) => (text === '' ? 0 : encoding.countTokens(text, options));
  });
  return loading;
}
