import Database from 'better-sqlite3';
import { Corpus } from './bench/retrieval/corpus.js';
import { queryTerms } from './src/vector-stores/search/query-terms.js';

const corpus = new Corpus();
const db = new Database(':memory:');
db.exec(`CREATE VIRTUAL TABLE a USING fts5(text, scope, content='', tokenize='porter unicode61 remove_diacritics 2');
INSERT INTO a(a, rank) VALUES('rank', 'bm25(1.0, 0.0)');
CREATE VIRTUAL TABLE b USING fts5(text, tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE c USING fts5(text, scope, tokenize='porter unicode61 remove_diacritics 2');`);
const texts = corpus
  .files(Number(process.argv[2] ?? 4e5), 100_000)
  .flatMap((d) => d.text.match(/(?:[^.]*\.){6}/g) ?? []);
const ia = db.prepare('insert into a(rowid, text, scope) values (?, ?, ?)');
const ib = db.prepare('insert into b(rowid, text) values (?, ?)');
const ic = db.prepare('insert into c(rowid, text, scope) values (?, ?, ?)');
const t = performance.now();
db.transaction(() =>
  texts.forEach((x, i) => {
    ia.run(i + 1, x, 'abc123');
    ib.run(i + 1, x);
    ic.run(i + 1, x, 'abc123');
  }),
)();
console.log('rows', texts.length, 'insert ms', performance.now() - t);
const qs = Array.from({ length: 50 }, () =>
  queryTerms(corpus.query())
    .map((w) => `"${w}"`)
    .join(' OR '),
);
const time = (label: string, sql: string, f: (q: string) => unknown[]) => {
  const st = db.prepare(sql);
  for (const q of qs.slice(0, 5)) st.all(...f(q));
  const t = performance.now();
  for (const q of qs) st.all(...f(q));
  console.log(label, ((performance.now() - t) / qs.length).toFixed(2));
};
time('a scoped rank', 'select rowid, rank from a where a match ? order by rank limit 40', (q) => [
  `(scope : "abc123") AND (text : (${q}))`,
]);
time('a unscoped rank', 'select rowid, rank from a where a match ? order by rank limit 40', (q) => [
  `text : (${q})`,
]);
time('a plain', 'select rowid, rank from a where a match ? order by rank limit 40', (q) => [q]);
time('b plain rank', 'select rowid, rank from b where b match ? order by rank limit 40', (q) => [q]);
time('b bm25', 'select rowid, bm25(b) from b where b match ? order by bm25(b) limit 40', (q) => [q]);
time('c scoped', 'select rowid, rank from c where c match ? order by rank limit 40', (q) => [
  `scope : "abc123" AND (${q})`,
]);
time('b count', 'select count(*) from b where b match ?', (q) => [q]);
console.log(qs[0]);
