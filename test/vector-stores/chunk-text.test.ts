import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/vector-stores/chunk-text.js';
import { loadTokenCounter } from '../../src/vector-stores/token-counter.js';

function document(sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    out.push(`Sentence number ${i} talks about topic ${i % 17} in some detail, with a few more words.`);
    if (i % 7 === 6) out.push('\n\n');
  }
  return out.join(' ');
}

describe('chunkText', () => {
  it('keeps every chunk within max_chunk_size_tokens and the overlap within chunk_overlap_tokens', async () => {
    const count = await loadTokenCounter();
    const text = document(600);
    for (const settings of [
      { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
      { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 },
      { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
      { max_chunk_size_tokens: 4096, chunk_overlap_tokens: 2048 },
    ]) {
      const chunks = await chunkText(text, settings, count);
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) {
        expect(count(chunk.text)).toBeLessThanOrEqual(settings.max_chunk_size_tokens);
        expect(chunk.tokens).toBeGreaterThanOrEqual(count(chunk.text));
      }
      // Each sentence is in some chunk; consecutive chunks share at most the overlap.
      for (const i of [0, 123, 599]) {
        expect(chunks.some((c) => c.text.includes(`Sentence number ${i} `))).toBe(true);
      }
      for (let i = 1; i < chunks.length; i++) {
        const previous = chunks[i - 1]!.text;
        const first = /Sentence number (\d+) /.exec(chunks[i]!.text)![1];
        const shared = previous.slice(previous.indexOf(`Sentence number ${first} `));
        if (previous.includes(`Sentence number ${first} `)) {
          expect(count(shared)).toBeLessThanOrEqual(settings.chunk_overlap_tokens + 2);
        }
      }
      if (settings.chunk_overlap_tokens === 0) {
        const total = chunks.reduce((sum, c) => sum + c.text.length, 0);
        expect(total).toBeLessThanOrEqual(text.length);
      }
    }
  });

  it('defaults to chunks that overlap, so a sentence at a boundary is whole in one chunk', async () => {
    const count = await loadTokenCounter();
    const chunks = await chunkText(
      document(400),
      { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
      count,
    );
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 0; i < 400; i += 37) {
      const sentence = `Sentence number ${i} talks about topic ${i % 17} in some detail, with a few more words.`;
      expect(chunks.some((c) => c.text.includes(sentence))).toBe(true);
    }
  });

  it('cuts text without sentence ends at whitespace, and a giant word by characters', async () => {
    const count = await loadTokenCounter();
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const giant = 'x'.repeat(5000);
    const chunks = await chunkText(
      `${words} ${giant}`,
      { max_chunk_size_tokens: 100, chunk_overlap_tokens: 20 },
      count,
    );
    for (const chunk of chunks) expect(count(chunk.text)).toBeLessThanOrEqual(100);
    expect(chunks.some((c) => c.text.includes('w2999'))).toBe(true);
    expect(
      chunks
        .map((c) => c.text)
        .join('')
        .replace(/[^x]/g, '').length,
    ).toBeGreaterThanOrEqual(5000);
  });

  it('gives nothing for blank text', async () => {
    const count = await loadTokenCounter();
    expect(
      await chunkText('  \n\n  ', { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 }, count),
    ).toEqual([]);
  });
});
