/**
 * Deterministic embeddings for tests and benchmarks: a hashed bag of word stems (first five
 * letters), L2-normalised. Texts sharing words point the same way, so nearest-neighbour search over
 * them behaves like a (crude) semantic search, with no model.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const FAKE_EMBEDDING_DIMENSIONS = 64;

export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const stem = word.slice(0, 5);
    let hash = 2166136261;
    for (let i = 0; i < stem.length; i++) hash = Math.imul(hash ^ stem.charCodeAt(i), 16777619);
    const slot = (hash >>> 0) % dimensions;
    vector[slot]! += hash & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

/** Answers an OpenAI `POST /v1/embeddings` with fake embeddings; returns the inputs it embedded. */
export function answerEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  onInputs?: (inputs: string[]) => void,
): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const parsed = JSON.parse(body) as { input: string | string[]; model: string; dimensions?: number };
    const inputs = typeof parsed.input === 'string' ? [parsed.input] : parsed.input;
    onInputs?.(inputs);
    const payload = JSON.stringify({
      object: 'list',
      model: parsed.model,
      data: inputs.map((input, index) => ({
        object: 'embedding',
        index,
        embedding: fakeEmbedding(input, parsed.dimensions ?? FAKE_EMBEDDING_DIMENSIONS),
      })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
}
