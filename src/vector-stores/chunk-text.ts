/**
 * Text into overlapping chunks of at most `max_chunk_size_tokens`, each sharing up to
 * `chunk_overlap_tokens` with the one before. Chunks are cut at sentence and line ends, not in the
 * middle of words: the text is split into such units (a unit longer than a chunk is split at
 * whitespace, a word longer than a chunk by characters), each counted once, then packed.
 *
 * Counting is the costly part (~14 MB/s): it yields to the event loop every few hundred units, so
 * that indexing a large file never holds up the requests being served meanwhile.
 */
import type { ChunkingSettings } from '../store/types.js';
import type { CountTokens } from './token-counter.js';

export interface TextChunk {
  text: string;
  /** The sum of its units' counts: an upper bound of the chunk's own count, in practice. */
  tokens: number;
}

interface Unit {
  text: string;
  tokens: number;
}

const UNITS_PER_YIELD = 500;
const BOUNDARY = /(?<=[.!?])[ \t]+|\n+/g;

export async function chunkText(
  text: string,
  settings: ChunkingSettings,
  count: CountTokens,
): Promise<TextChunk[]> {
  const max = settings.max_chunk_size_tokens;
  const units = await toUnits(text, max, count);
  const chunks: TextChunk[] = [];
  let start = 0;
  while (start < units.length) {
    let end = start;
    let tokens = 0;
    while (end < units.length && tokens + units[end]!.tokens <= max) tokens += units[end++]!.tokens;
    if (end === start) tokens = units[end++]!.tokens;
    const chunk = units
      .slice(start, end)
      .map((unit) => unit.text)
      .join('')
      .trim();
    if (chunk !== '') chunks.push({ text: chunk, tokens });
    if (end >= units.length) break;
    // Step back over the last units for the overlap, always moving on by at least one unit.
    let next = end;
    let overlap = 0;
    while (next - 1 > start && overlap + units[next - 1]!.tokens <= settings.chunk_overlap_tokens) {
      overlap += units[--next]!.tokens;
    }
    start = next;
  }
  return chunks;
}

async function toUnits(text: string, max: number, count: CountTokens): Promise<Unit[]> {
  const units: Unit[] = [];
  let from = 0;
  let counted = 0;
  const add = async (piece: string) => {
    if (piece === '') return;
    for (const unit of splitToFit(piece, max, count)) units.push(unit);
    if (++counted % UNITS_PER_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  for (const match of text.matchAll(BOUNDARY)) {
    const end = match.index + match[0].length;
    await add(text.slice(from, end));
    from = end;
  }
  await add(text.slice(from));
  return units;
}

/** A unit as it is when it fits, else cut at whitespace, and a word that alone is too long by characters. */
function splitToFit(piece: string, max: number, count: CountTokens): Unit[] {
  const tokens = count(piece);
  if (tokens <= max) return [{ text: piece, tokens }];
  const words = piece.match(/\S+\s*|\s+/g) ?? [piece];
  if (words.length > 1) {
    const out: Unit[] = [];
    for (const word of words) out.push(...splitToFit(word, max, count));
    return out;
  }
  const half = Math.ceil(piece.length / 2);
  // Never between the two halves of a surrogate pair.
  const cut = /[\uD800-\uDBFF]/.test(piece[half - 1] ?? '') ? half + 1 : half;
  return [...splitToFit(piece.slice(0, cut), max, count), ...splitToFit(piece.slice(cut), max, count)];
}
