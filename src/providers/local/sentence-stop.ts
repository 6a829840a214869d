/**
 * A soft output budget for a local model: once `budget` tokens of answer text were generated, the
 * answer ends at the next sentence end, the way a stop sequence ends it (a normal stop, not a
 * truncation). It exists for small base models such as the bundled story model, which at the
 * sampling defaults clients send (temperature 1) sometimes never emits EOS and would otherwise
 * ramble on to the end of the context.
 */

/**
 * Sentence-ending punctuation (with closing quotes or brackets) followed by whitespace; not after a
 * common abbreviation ("Mr. Brown").
 */
const SENTENCE_END = /(?<!\b(?:Mr|Mrs|Ms|Dr|St))[.!?]["'”’)\]]*(?=\s)/g;

/** Characters of earlier text kept to find a sentence end that straddles two chunks. */
const TAIL = 8;
/**
 * Past the budget by this many tokens a quotation no longer holds the end back; past it by twice
 * as many the answer ends at the next blank, sentence or not, so the budget is a bound.
 */
const GRACE = 40;

export class SentenceStop {
  private tokens = 0;
  private tail = '';
  private stopped = false;
  /** Open quotations in the text taken so far: a sentence inside one does not end the answer. */
  private quotes = 0;

  constructor(private readonly budget: number) {}

  /** Whether the answer ended here (later chunks are to be dropped and generation stopped). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Takes the next chunk of answer text (`tokens` long): returns the part of it to keep, and
   * whether the answer ends after that part.
   */
  take(text: string, tokens: number): { keep: string; stop: boolean } {
    if (this.stopped) return { keep: '', stop: true };
    this.tokens += tokens;
    const joined = this.tail + text;
    this.tail = joined.slice(-TAIL);
    const quotesBefore = this.quotes;
    this.quotes = openQuotes(quotesBefore, text);
    if (this.tokens < this.budget) return { keep: text, stop: false };
    const offset = joined.length - text.length;
    const overdue = this.tokens >= this.budget + GRACE;
    for (const match of joined.matchAll(SENTENCE_END)) {
      const end = match.index + match[0].length;
      // A sentence end inside the earlier text was seen before the budget ran out: not this one.
      if (end < offset) continue;
      const keep = text.slice(0, end - offset);
      if (!overdue && openQuotes(quotesBefore, keep) !== 0) continue;
      this.stopped = true;
      return { keep, stop: true };
    }
    if (this.tokens >= this.budget + 2 * GRACE) {
      const blank = text.search(/\s/);
      if (blank >= 0) {
        this.stopped = true;
        return { keep: text.slice(0, blank), stop: true };
      }
    }
    return { keep: text, stop: false };
  }
}

/** Open quotations after `text`, from `open` before it: straight quotes toggle, curly ones nest. */
function openQuotes(open: number, text: string): number {
  let depth = open;
  for (const char of text) {
    if (char === '"') depth = depth > 0 ? depth - 1 : depth + 1;
    else if (char === '“') depth++;
    else if (char === '”' && depth > 0) depth--;
  }
  return depth;
}
