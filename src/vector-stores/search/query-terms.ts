/**
 * A natural-language query as search terms: words, lower-cased, without the function words that
 * match everything (BM25 would weigh them little anyway, but every chunk matching them costs time).
 * `rewriteQuery` is what `rewrite_query: true` reports and searches: those terms in their order.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her ' +
    'here hers him his how i if in into is it its itself just me might my no nor not of off on once only or ' +
    'other our ours out over own please same she should so some such tell than that the their theirs them ' +
    'then there these they this those through to too under until up us very was we were what when where ' +
    'which while who whom why will with would you your yours about above after again against all am any ' +
    'because before below between both during each few further more most'
  ).split(' '),
);

const MAX_TERMS = 32;

export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  const unique = [...new Set(words.map((word) => word.replace(/['’]s$/, '')))];
  const content = unique.filter((word) => !STOPWORDS.has(word));
  return (content.length > 0 ? content : unique).slice(0, MAX_TERMS);
}

export function rewriteQuery(query: string): string {
  const terms = queryTerms(query);
  return terms.length > 0 ? terms.join(' ') : query.trim();
}
