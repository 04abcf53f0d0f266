// A BEIR-format collection as firstfix content, searched and scored: shared
// by the relevance harness (beir_eval.mjs) and the search-learning eval
// (learning_eval.mjs). Nothing here or in the product knows anything about
// a particular collection.
//
// COLLECTION_DIR holds corpus.jsonl (_id, title, text), queries.jsonl (_id,
// text) and qrels/test.tsv (query-id, corpus-id, score).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const jsonl = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
export const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

// {corpus, queries: Map(id -> text), qrels: Map(query id -> Map(doc id -> relevance)), judged: [query ids]}
export function loadCollection(dir) {
  const corpus = jsonl(join(dir, 'corpus.jsonl'));
  const queries = new Map(jsonl(join(dir, 'queries.jsonl')).map((q) => [String(q._id), q.text]));
  const qrels = new Map();
  readFileSync(join(dir, 'qrels', 'test.tsv'), 'utf8').split('\n').forEach((line, i) => {
    const [qid, did, score] = line.split('\t');
    if (i === 0 && isNaN(Number(score))) return;  // header
    if (!qid || !did || !(Number(score) > 0)) return;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid).set(did, Number(score));
  });
  return { corpus, queries, qrels, judged: [...qrels.keys()].filter((q) => queries.has(q)) };
}

// Markdown: escape every ASCII punctuation character so text renders literally.
const escapeMarkdown = (s) => s.replace(/[!-\/:-@\[-`{-~]/g, (c) => '\\' + c);

// Writes the corpus as a content folder of articles doc-1, doc-2, ...;
// returns {articleOf: Map(corpus id -> article id), corpusOf: Map(article id -> corpus id)}.
export function writeContent(corpus, contentDir) {
  const articles = join(contentDir, 'articles', 'en');
  mkdirSync(articles, { recursive: true });
  const articleOf = new Map(), corpusOf = new Map();
  corpus.forEach((doc, n) => {
    const id = `doc-${n + 1}`;
    articleOf.set(String(doc._id), id);
    corpusOf.set(id, String(doc._id));
    const text = String(doc.text ?? '');
    // Untitled documents are titled by their first sentence.
    const title = oneLine(String(doc.title ?? '')) || oneLine(text).split(/(?<=[.?!])\s/)[0].slice(0, 120) || id;
    writeFileSync(join(articles, `${id}.md`),
      `---\nid: ${id}\ntitle: ${JSON.stringify(title)}\nlocale: en\ncategory: Collection\n---\n${escapeMarkdown(text)}\n`);
  });
  return { articleOf, corpusOf };
}

export function buildIndex(firstfix, contentDir, distDir) {
  execFileSync(firstfix, ['build', contentDir, '-o', distDir, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

// Map(query id -> ranked corpus ids, the first 10) through `firstfix search --batch`.
export function search(firstfix, distDir, queryIds, queries, corpusOf) {
  const input = queryIds.map((q) => `${q}\t${oneLine(queries.get(q))}`).join('\n') + '\n';
  const out = execFileSync(firstfix, ['search', '--index', distDir, '--batch', '--limit', '10'], { input, maxBuffer: 1 << 28 });
  return new Map(out.toString().trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.id, r.results.map((x) => corpusOf.get(x.id))]));
}

// Per query: nDCG@10, reciprocal rank, recall@10 and P@1.
export function scoreQuery(relevant, ranked) {
  let dcg = 0, firstHit = 0, found = 0;
  ranked.slice(0, 10).forEach((d, i) => {
    const g = relevant.get(d) ?? 0;
    if (g > 0) { dcg += g / Math.log2(i + 2); found++; if (!firstHit) firstHit = i + 1; }
  });
  const ideal = [...relevant.values()].sort((a, b) => b - a).slice(0, 10).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return { ndcg10: ideal > 0 ? dcg / ideal : 0, mrr10: firstHit ? 1 / firstHit : 0, recall10: found / relevant.size,
    p1: (relevant.get(ranked[0]) ?? 0) > 0 ? 1 : 0 };
}

// The mean of each figure over `queryIds`.
export function score(queryIds, qrels, results) {
  const sum = { ndcg10: 0, mrr10: 0, recall10: 0, p1: 0 };
  for (const q of queryIds) {
    const s = scoreQuery(qrels.get(q), results.get(q) ?? []);
    for (const k of Object.keys(sum)) sum[k] += s[k];
  }
  for (const k of Object.keys(sum)) sum[k] = queryIds.length ? sum[k] / queryIds.length : 0;
  return { queries: queryIds.length, ...sum };
}
