#!/usr/bin/env node
// Search learning, measured: what the customers' own words, accepted as
// questions, do to the ranking for the next customers.
//
//   node tests/eval/learning_eval.mjs COLLECTION_DIR [--firstfix BIN] [--visitors 5] [--seed 1] [--synonyms] [--worse] [--json] [--check]
//
// The judged queries are split in two halves (a seeded shuffle). The train
// half is played as visits through the real server's POST /api/v1/events
// (search -> read a relevant article -> no vote), each query by --visitors
// distinct visitors (the default is the default k: a phrasing that k people
// used). `firstfix suggest` then lists the suggestions at its default
// thresholds, every question is accepted (`--apply --force`, which edits the
// articles' files; with --synonyms every synonym line too), and the list is
// read again, as an editor would see it after accepting, until it lists no
// question: a wording that the accepted ones moved off its answer is listed
// then for that answer. The content is rebuilt, and the test half is scored
// before and after, beside the test queries whose articles got no question
// (the target: no loss; README: "Search learning" has the figures), and,
// among those, the ones worded (stop words aside) as a question the learning
// gave another article: the judges and the customers who resolved that
// wording disagree, and learning that ranks a resolved wording's answer
// first must lose them. Beside them, a peer from the same questions: the
// ranking changed only for queries worded as a learned question (what
// exact wordings alone gain; its loss is that floor). --worse prints every
// untouched query that lost. --check exits 1 if nDCG@10 after is below 0.85,
// learning did not improve it or did no better than the peer, or the
// untouched queries lost more than 0.02.
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCollection, writeContent, buildIndex, search, score, scoreQuery } from './collection.mjs';
import { startServer } from '../support/server.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && !['--json', '--check', '--synonyms', '--worse'].includes(args[i - 1])));
if (!dir) { console.error('usage: learning_eval.mjs COLLECTION_DIR [--firstfix BIN] [--visitors N] [--seed N] [--synonyms] [--worse] [--json] [--check]'); process.exit(2); }
const firstfix = resolve(opt('--firstfix', process.env.FIRSTFIX_BIN ?? 'build/native/firstfix'));
const visitors = Number(opt('--visitors', 5));
const seed = Number(opt('--seed', 1));
const asJson = args.includes('--json');

// A seeded shuffle (mulberry32): the same seed, the same halves.
function shuffled(list, s) {
  let a = s >>> 0;
  const rand = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const { corpus, queries, qrels, judged } = loadCollection(dir);
const order = shuffled([...judged].sort(), seed);
const train = order.slice(0, Math.floor(order.length / 2));
const test = order.slice(Math.floor(order.length / 2));
const work = mkdtempSync(join(tmpdir(), 'firstfix-learning-'));
const figures = { documents: corpus.length, train: train.length, test: test.length, visitors_per_query: visitors };
try {
  const content = join(work, 'content'), data = join(work, 'data');
  const { articleOf, corpusOf } = writeContent(corpus, content);
  const before = join(work, 'before');
  buildIndex(firstfix, content, before);
  const resultsBefore = search(firstfix, before, test, queries, corpusOf);

  // The train half, played as visits through the server.
  const t0 = performance.now();
  const server = await startServer({ content, data, demo: false });
  let events = 0;
  try {
    const now = Date.now() - 24 * 3600 * 1000;
    let batch = [];
    const send = async () => {
      if (!batch.length) return;
      const r = await fetch(`${server.origin}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ events: batch }) });
      const body = await r.json();
      if (r.status !== 200 || body.accepted !== batch.length) throw new Error(`events refused: ${r.status} ${JSON.stringify(body)}`);
      events += batch.length;
      batch = [];
    };
    let n = 0;
    for (const q of train) {
      const relevant = [...qrels.get(q).keys()];
      for (let v = 0; v < visitors; v++, n++) {
        const visit = `learn-visit-${n}`, at = now + n * 1000;
        const common = { visit, visitor: `learn-visitor-${q}-${v}`, locale: 'en' };
        batch.push({ ...common, id: `${visit}-1`, type: 'search', at, seq: 0, query: queries.get(q).slice(0, 200), results: 10, search_id: 's1' });
        batch.push({ ...common, id: `${visit}-2`, type: 'article_view', at: at + 500, seq: 1, target: articleOf.get(relevant[v % relevant.length]) });
        if (batch.length >= 200) await send();
      }
    }
    await send();
  } finally {
    await server.stop();
  }
  figures.events = events;
  figures.play_ms = Math.round(performance.now() - t0);

  // The suggestions at the default thresholds; every question accepted, in
  // rounds until none is listed (at most 5).
  const suggest = (...more) => {
    const run = spawnSync(firstfix, ['suggest', '--data', data, '--content', content, '--json', ...more], { maxBuffer: 1 << 28 });
    if (run.status !== 0 && run.status !== 1) throw new Error(`firstfix suggest ${more.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout.toString());
  };
  const t1 = performance.now();
  const listed = suggest();
  figures.suggest_ms = Math.round(performance.now() - t1);
  const listedQuestions = listed.suggestions.filter((s) => s.kind === 'question');
  const listedSynonyms = listed.suggestions.filter((s) => s.kind === 'synonym');
  figures.synonym_lines = listedSynonyms.map((s) => s.phrasing);
  figures.suggestions = { questions: listedQuestions.length, synonyms: listedSynonyms.length,
    gaps: listed.suggestions.filter((s) => s.kind === 'gap').length,
    with_harms_listed: listedQuestions.filter((s) => s.harms.length > 0).length };
  figures.rank_today_to_after = {
    first_after: listedQuestions.filter((s) => s.rank.after === 1).length,
    better: listedQuestions.filter((s) => s.rank.after > 0 && (s.rank.today === 0 || s.rank.after < s.rank.today)).length,
  };
  // Every question listed is accepted, as the thresholds have it; `firstfix suggest` would refuse, at the time
  // it is applied, one that by then moves a phrasing customers find first off the top: --force takes them all.
  const questions = [];
  figures.accepted = 0;
  figures.rounds = [];
  let round = listed;
  for (let n = 1; n <= 5; n++) {
    const asked = round.suggestions.filter((s) => s.kind === 'question');
    const accepting = [...asked, ...(args.includes('--synonyms') ? round.suggestions.filter((s) => s.kind === 'synonym') : [])];
    if (!asked.length && (n > 1 || !accepting.length)) break;
    figures.accepted += suggest('--editor', 'learning-eval', '--force', '--apply', ...accepting.map((s) => s.id)).decisions.length;
    figures.rounds.push(asked.length);
    questions.push(...asked);
    round = suggest();
  }
  const touched = new Set(questions.map((s) => corpusOf.get(s.target.id)));
  const questionsAdded = readdirSync(join(content, 'articles', 'en')).reduce((sum, f) =>
    sum + (readFileSync(join(content, 'articles', 'en', f), 'utf8').match(/^ {2}- /gm)?.length ?? 0), 0);
  figures.questions_in_content = questionsAdded;

  const after = join(work, 'after');
  buildIndex(firstfix, content, after);
  const resultsAfter = search(firstfix, after, test, queries, corpusOf);
  figures.before = score(test, qrels, resultsBefore);
  figures.after = score(test, qrels, resultsAfter);
  // Test queries none of whose relevant articles gained a question.
  const lossOf = (q) => scoreQuery(qrels.get(q), resultsBefore.get(q) ?? []).ndcg10 - scoreQuery(qrels.get(q), resultsAfter.get(q) ?? []).ndcg10;
  const untouched = test.filter((q) => [...qrels.get(q).keys()].every((d) => !touched.has(d)));
  figures.untouched = { queries: untouched.length, articles: corpus.length - touched.size,
    before: score(untouched, qrels, resultsBefore).ndcg10, after: score(untouched, qrels, resultsAfter).ndcg10,
    worse: untouched.filter((q) => lossOf(q) > 0).length, better: untouched.filter((q) => lossOf(q) < 0).length };
  // Untouched queries worded as a question another article gained.
  const forms = queryForms(firstfix, [...test.map((q) => queries.get(q)), ...questions.map((s) => s.phrasing)]);
  const formOfTest = new Map(test.map((q, i) => [q, forms[i]]));
  const gainedBy = new Map();  // form -> articles that gained a question of that form
  questions.forEach((s, i) => {
    const form = forms[test.length + i];
    if (form) gainedBy.set(form, new Set([...(gainedBy.get(form) ?? []), corpusOf.get(s.target.id)]));
  });
  const conflicting = untouched.filter((q) => [...(gainedBy.get(formOfTest.get(q)) ?? [])].some((d) => !qrels.get(q).has(d)));
  figures.untouched.same_wording = { queries: conflicting.length,
    loss: conflicting.reduce((sum, q) => sum + lossOf(q), 0) / Math.max(1, untouched.length) };
  // The peer, from the same accepted questions: learning that changes a
  // query's ranking only where the query is worded as a learned question
  // (its articles first, the rest as before), as an index that held the
  // questions' forms and not their words would rank. Its loss on the
  // untouched queries is the floor above and nothing more; what it gains is
  // what exact wordings alone can gain.
  const resultsFormsOnly = new Map(test.map((q) => {
    const was = resultsBefore.get(q) ?? [];
    const first = [...(gainedBy.get(formOfTest.get(q)) ?? [])].sort((a, b) => rankIn(was, a) - rankIn(was, b));
    return [q, [...first, ...was.filter((d) => !first.includes(d))]];
  }));
  figures.forms_only = { after: score(test, qrels, resultsFormsOnly).ndcg10, untouched_after: score(untouched, qrels, resultsFormsOnly).ndcg10 };
  if (args.includes('--worse')) {
    const gained = new Map();
    for (const s of questions) gained.set(corpusOf.get(s.target.id), [...(gained.get(corpusOf.get(s.target.id)) ?? []), s.phrasing]);
    figures.untouched.lost = untouched.filter((q) => lossOf(q) > 0).map((q) => ({
      query: queries.get(q), relevant: [...qrels.get(q).keys()], same_wording: conflicting.includes(q),
      before: (resultsBefore.get(q) ?? []).slice(0, 4), after: (resultsAfter.get(q) ?? []).slice(0, 4),
      gained: Object.fromEntries((resultsAfter.get(q) ?? []).slice(0, 3).filter((d) => gained.has(d)).map((d) => [d, gained.get(d)])) }));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// A document's place in a ranking, the end for one not in it.
function rankIn(ranked, d) {
  const i = ranked.indexOf(d);
  return i < 0 ? ranked.length : i;
}

// Each text's query form as the core makes it (text::query_form): its
// stems, stop words aside, each once, sorted, joined by spaces.
function queryForms(bin, texts) {
  if (!texts.length) return [];
  const out = execFileSync(bin, ['analyze', '--json'], { input: texts.map((t) => t.replace(/\s+/g, ' ')).join('\n') + '\n', maxBuffer: 1 << 28 });
  return out.toString().split('\n').slice(0, texts.length).map((line) =>
    [...new Set(JSON.parse(line).filter((t) => !t[4]).map((t) => t[1]))].sort().join(' '));
}

function listedSynonymsText(f) {
  return f.synonym_lines.length ? f.synonym_lines.slice(0, 8).map((l) => `"${l}"`).join(', ') + (f.synonym_lines.length > 8 ? ', ...' : '') : 'none';
}

if (asJson) {
  console.log(JSON.stringify(figures));
} else {
  const f4 = (x) => x.toFixed(4);
  console.log(`search learning on ${dir}: ${figures.documents} articles; ${figures.train} train queries played by ${visitors} visitors each ` +
    `(${figures.events} events in ${figures.play_ms} ms), ${figures.test} test queries`);
  console.log(`  suggestions: ${figures.suggestions.questions} questions (${figures.rank_today_to_after.first_after} first with the question, ` +
    `${figures.suggestions.with_harms_listed} moving a phrasing customers find first off the top), ` +
    `${figures.suggestions.synonyms} synonyms (${listedSynonymsText(figures)}), ${figures.suggestions.gaps} gaps, ` +
    `listed in ${figures.suggest_ms} ms; ${figures.accepted} accepted (questions by round: ${figures.rounds.join(', ') || 'none'})`);
  console.log(`  test half nDCG@10: ${f4(figures.before.ndcg10)} before, ${f4(figures.after.ndcg10)} after ` +
    `(MRR@10 ${f4(figures.before.mrr10)} -> ${f4(figures.after.mrr10)}, P@1 ${f4(figures.before.p1)} -> ${f4(figures.after.p1)})`);
  console.log(`  untouched (${figures.untouched.queries} test queries, ${figures.untouched.articles} articles without a new question): ` +
    `${f4(figures.untouched.before)} before, ${f4(figures.untouched.after)} after; ${figures.untouched.worse} worse, ${figures.untouched.better} better`);
  console.log(`    of the loss, ${f4(figures.untouched.same_wording.loss)} is ${figures.untouched.same_wording.queries} queries worded as a question another article gained ` +
    `(stop words aside): judged to another answer than the customers who resolved that wording`);
  console.log(`  peer, the same questions as forms only (a query worded as one ranks its article first; no other ranking moves): ` +
    `${f4(figures.forms_only.after)} after, untouched ${f4(figures.forms_only.untouched_after)} (its loss is the floor above)`);
  for (const l of figures.untouched.lost ?? [])
    console.log(`    lost: "${l.query}"${l.same_wording ? ' (same wording)' : ''} judged ${l.relevant.join(', ')}; top 4 before ${l.before.join(', ')}, after ${l.after.join(', ')}` +
      Object.entries(l.gained).map(([d, qs]) => `\n      ${d} gained ${qs.map((x) => JSON.stringify(x)).join(', ')}`).join(''));
}
if (args.includes('--check')) {
  const problems = [];
  if (figures.after.ndcg10 < 0.85) problems.push(`nDCG@10 after learning is ${figures.after.ndcg10.toFixed(4)}, below 0.85`);
  if (figures.untouched.after < figures.untouched.before - 0.02) problems.push('the untouched queries lost more than 0.02');
  if (figures.after.ndcg10 <= figures.before.ndcg10) problems.push('learning did not improve the ranking');
  if (figures.after.ndcg10 <= figures.forms_only.after) problems.push(`the questions' words gained nothing over their exact wordings (peer ${figures.forms_only.after.toFixed(4)})`);
  if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
}
