#!/usr/bin/env node
// Relevance harness: runs a BEIR-format collection through firstfix and
// prints nDCG@10, MRR@10, Recall@10 and P@1.
//
//   node tests/eval/beir_eval.mjs COLLECTION_DIR [--firstfix build/native/firstfix] [--json]
//
// The corpus is written as a content folder, compiled with `firstfix
// build`, and every judged query goes through `firstfix search --batch`
// (collection.mjs, which the search-learning eval shares).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCollection, writeContent, buildIndex, search, score } from './collection.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--json'));
if (!dir) { console.error('usage: beir_eval.mjs COLLECTION_DIR [--firstfix BIN] [--json]'); process.exit(2); }
const firstfix = opt('--firstfix', 'build/native/firstfix');
const asJson = args.includes('--json');

const { corpus, queries, qrels, judged } = loadCollection(dir);
const work = mkdtempSync(join(tmpdir(), 'firstfix-eval-'));
try {
  const { corpusOf } = writeContent(corpus, join(work, 'content'));
  const dist = join(work, 'dist');
  buildIndex(firstfix, join(work, 'content'), dist);
  const results = search(firstfix, dist, judged, queries, corpusOf);
  const { queries: n, ...means } = score(judged, qrels, results);
  const figures = { documents: corpus.length, queries: n, ...means };
  if (asJson) {
    console.log(JSON.stringify(figures));
  } else {
    console.log(`collection ${dir}: ${figures.documents} documents, ${n} judged queries`);
    for (const k of ['ndcg10', 'mrr10', 'recall10', 'p1']) console.log(`  ${k.padEnd(9)} ${figures[k].toFixed(4)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
