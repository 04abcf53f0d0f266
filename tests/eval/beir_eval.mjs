#!/usr/bin/env node
// Relevance harness: runs a BEIR-format collection through firstfix and
// prints nDCG@10, MRR@10, Recall@10 and P@1.
//
//   node tests/eval/beir_eval.mjs COLLECTION_DIR [--firstfix build/native/firstfix] [--json]
//
// COLLECTION_DIR holds corpus.jsonl (_id, title, text), queries.jsonl (_id,
// text) and qrels/test.tsv (query-id, corpus-id, score). The corpus is
// written as a content folder, compiled with `firstfix build`, and every
// judged query goes through `firstfix search --batch`. Nothing here or in
// the product knows anything about a particular collection.
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--json'));
if (!dir) { console.error('usage: beir_eval.mjs COLLECTION_DIR [--firstfix BIN] [--json]'); process.exit(2); }
const firstfix = opt('--firstfix', 'build/native/firstfix');
const asJson = args.includes('--json');

const jsonl = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const corpus = jsonl(join(dir, 'corpus.jsonl'));
const queries = new Map(jsonl(join(dir, 'queries.jsonl')).map((q) => [String(q._id), q.text]));
const qrels = new Map();  // query id -> Map(doc id -> relevance)
readFileSync(join(dir, 'qrels', 'test.tsv'), 'utf8').split('\n').forEach((line, i) => {
  const [qid, did, score] = line.split('\t');
  if (i === 0 && isNaN(Number(score))) return;  // header
  if (!qid || !did || !(Number(score) > 0)) return;
  if (!qrels.has(qid)) qrels.set(qid, new Map());
  qrels.get(qid).set(did, Number(score));
});

// Markdown: escape every ASCII punctuation character so text renders literally.
const escapeMarkdown = (s) => s.replace(/[!-\/:-@\[-`{-~]/g, (c) => '\\' + c);
const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

const work = mkdtempSync(join(tmpdir(), 'firstfix-eval-'));
try {
  const articles = join(work, 'content', 'articles', 'en');
  mkdirSync(articles, { recursive: true });
  const idOf = new Map();
  corpus.forEach((doc, n) => {
    const id = `doc-${n + 1}`;
    idOf.set(id, String(doc._id));
    const text = String(doc.text ?? '');
    // Untitled documents are titled by their first sentence.
    const title = oneLine(String(doc.title ?? '')) || oneLine(text).split(/(?<=[.?!])\s/)[0].slice(0, 120) || id;
    writeFileSync(join(articles, `${id}.md`),
      `---\nid: ${id}\ntitle: ${JSON.stringify(title)}\nlocale: en\ncategory: Collection\n---\n${escapeMarkdown(text)}\n`);
  });
  const dist = join(work, 'dist');
  execFileSync(firstfix, ['build', join(work, 'content'), '-o', dist, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });

  const judged = [...qrels.keys()].filter((q) => queries.has(q));
  const input = judged.map((q) => `${q}\t${oneLine(queries.get(q))}`).join('\n') + '\n';
  const out = execFileSync(firstfix, ['search', '--index', dist, '--batch', '--limit', '10'], { input, maxBuffer: 1 << 28 });
  const results = new Map(out.toString().trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.id, r.results.map((x) => idOf.get(x.id))]));

  let ndcg = 0, mrr = 0, recall = 0, p1 = 0;
  for (const q of judged) {
    const rel = qrels.get(q);
    const ranked = results.get(q) ?? [];
    let dcg = 0, firstHit = 0, found = 0;
    ranked.slice(0, 10).forEach((d, i) => {
      const g = rel.get(d) ?? 0;
      if (g > 0) { dcg += g / Math.log2(i + 2); found++; if (!firstHit) firstHit = i + 1; }
    });
    const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, 10).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
    ndcg += ideal > 0 ? dcg / ideal : 0;
    mrr += firstHit ? 1 / firstHit : 0;
    recall += found / rel.size;
    p1 += (rel.get(ranked[0]) ?? 0) > 0 ? 1 : 0;
  }
  const n = judged.length;
  const figures = { documents: corpus.length, queries: n, ndcg10: ndcg / n, mrr10: mrr / n, recall10: recall / n, p1: p1 / n };
  if (asJson) {
    console.log(JSON.stringify(figures));
  } else {
    console.log(`collection ${dir}: ${figures.documents} documents, ${n} judged queries`);
    for (const k of ['ndcg10', 'mrr10', 'recall10', 'p1']) console.log(`  ${k.padEnd(9)} ${figures[k].toFixed(4)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
