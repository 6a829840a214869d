/**
 * A deterministic synthetic corpus: English-like words (common roots, with prefixes and suffixes
 * for the rarer ones, so that they tokenize like English) drawn from a Zipf distribution (a few
 * words very common, most rare, as in real text), in sentences and paragraphs, split into files.
 * Common words make lexical search touch many chunks per query, as it does on real documents.
 */

export interface CorpusFile {
  name: string;
  text: string;
}

/** The head of real text's Zipf curve: function words (which queries drop). */
const FUNCTION_WORDS = (
  'the of and to a in is that for it as was with be by on not he this are or his from at which but have ' +
  'an they you were her she there been one all we their has would when if so no will more can its who'
).split(' ');
const ROOTS = (
  'time year people way day man thing woman life child world school state family student group country ' +
  'problem hand part place case week company system program question work government number night point ' +
  'home water room mother area money story fact month lot right study book eye job word business issue ' +
  'side kind head house service friend father power hour game line end member law car city community name ' +
  'president team minute idea kid body information back parent face others level office door health person ' +
  'art war history party result change morning reason research girl guy moment air teacher force education ' +
  'foot boy age policy process music market sense nation plan college interest death experience effect use ' +
  'class control care field development role effort rate heart drug show leader light voice wife police mind ' +
  'price report decision son view relationship town road arm difference value building action model season ' +
  'society tax director position player record paper space ground form event official matter center couple ' +
  'site project activity star table need court oil situation cost industry figure street image phone data ' +
  'picture practice piece land product doctor wall patient worker news test movie north love support ' +
  'technology step baby computer type attention film tree source organization hair window evidence ' +
  'population truth song network robot battery charge sensor motor wheel engine signal memory storage ' +
  'cloud server client request answer query index vector search chunk token file store gateway policy'
).split(' ');
const PREFIXES = ['', 're', 'un', 'pre', 'over', 'sub', 'inter', 'co', 'micro', 'multi'];
const SUFFIXES = ['', 's', 'ed', 'ing', 'er', 'ly', 'ful', 'less', 'ness', 'able', 'ment', 'ist'];

export class Corpus {
  private seed: number;
  readonly vocabulary: string[];
  private readonly cumulative: number[];

  constructor(seed = 42, vocabularySize = 20_000) {
    this.seed = seed;
    this.vocabulary = Array.from({ length: vocabularySize }, (_, i) => word(i));
    let total = 0;
    this.cumulative = this.vocabulary.map((_, rank) => {
      total += 1 / (rank + 1) ** 1.07;
      return total;
    });
  }

  /** Files of about `fileBytes` each, adding up to at least `totalBytes`. */
  files(totalBytes: number, fileBytes: number): CorpusFile[] {
    const files: CorpusFile[] = [];
    let bytes = 0;
    while (bytes < totalBytes) {
      const text = this.text(fileBytes);
      files.push({ name: `doc-${String(files.length).padStart(4, '0')}.md`, text });
      bytes += Buffer.byteLength(text);
    }
    return files;
  }

  /** A query of a few words, like a user's: content words as the text has them, and a function word or two. */
  query(): string {
    const words = 3 + Math.floor(this.random() * 4);
    return Array.from({ length: words }, (_, i) => (i % 3 === 1 ? this.word() : this.contentWord())).join(
      ' ',
    );
  }

  private contentWord(): string {
    for (;;) {
      const candidate = this.word();
      if (!FUNCTION_WORDS.includes(candidate)) return candidate;
    }
  }

  private text(bytes: number): string {
    const paragraphs: string[] = [`# ${this.sentence(4)}`];
    let length = 0;
    while (length < bytes) {
      const sentences = 3 + Math.floor(this.random() * 4);
      const paragraph = Array.from(
        { length: sentences },
        () => `${this.sentence(8 + Math.floor(this.random() * 14))}.`,
      ).join(' ');
      paragraphs.push(paragraph);
      length += paragraph.length + 2;
    }
    return paragraphs.join('\n\n');
  }

  private sentence(words: number): string {
    const out = Array.from({ length: words }, () => this.word());
    out[0] = out[0]!.charAt(0).toUpperCase() + out[0]!.slice(1);
    return out.join(' ');
  }

  private word(): string {
    const target = this.random() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return this.vocabulary[low]!;
  }

  /** mulberry32 */
  private random(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** The index-th word: function words first (the most common), plain roots, then affixed roots. */
function word(rank: number): string {
  if (rank < FUNCTION_WORDS.length) return FUNCTION_WORDS[rank]!;
  const index = rank - FUNCTION_WORDS.length;
  const root = ROOTS[index % ROOTS.length]!;
  const rest = Math.floor(index / ROOTS.length);
  const suffix = SUFFIXES[rest % SUFFIXES.length]!;
  const prefix = PREFIXES[Math.floor(rest / SUFFIXES.length) % PREFIXES.length]!;
  const variant = Math.floor(rest / (SUFFIXES.length * PREFIXES.length));
  return `${prefix}${root}${suffix}${variant > 0 ? variant : ''}`;
}
