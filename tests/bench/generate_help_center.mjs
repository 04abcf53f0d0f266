#!/usr/bin/env node
// Writes a synthetic help center of N English articles for benchmarks:
//   node tests/bench/generate_help_center.mjs N OUT_DIR [--seed S]
// Sentences are recombined from the sample content in content/ and salted
// with invented product names and words drawn from a Zipf distribution, so
// the vocabulary grows with N as a real help center's does. Deterministic
// for a given N and seed. The output is never committed.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [n, out] = [Number(process.argv[2]), process.argv[3]];
if (!(n > 0) || !out) { console.error('usage: generate_help_center.mjs N OUT_DIR [--seed S]'); process.exit(2); }
const seedArg = process.argv.indexOf('--seed');
let seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 42;
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(random() * a.length)];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'content', 'articles', 'en');
const files = [];
const walk = (d) => readdirSync(d).forEach((f) => { const p = join(d, f); statSync(p).isDirectory() ? walk(p) : files.push(p); });
walk(root);
const sentences = [], titles = [], categories = new Set();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const [, header, body] = text.split(/^---$/m);
  titles.push(/^title: (.*)$/m.exec(header)[1]);
  categories.add(/^category: (.*)$/m.exec(header)[1]);
  for (const line of body.split('\n')) {
    const clean = line.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/^[#>\-\d.|* ]+/, '').trim();
    if (clean.length > 30 && !clean.includes('|')) sentences.push(clean);
  }
}
const syllables = ['ka', 'lo', 'mi', 'ter', 'vo', 'zen', 'pra', 'sul', 'dex', 'ri', 'mon', 'ta', 'quo', 'fel', 'ny'];
const word = () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join('');
const vocabulary = Array.from({ length: 20000 }, word);
const zipf = () => vocabulary[Math.floor(Math.pow(random(), 3) * vocabulary.length)];
const products = Array.from({ length: 300 }, () => `${word()[0].toUpperCase()}${word()} ${pick(['Cam', 'Hub', 'Plug', 'Sensor', 'Lock', 'Bulb'])} ${1 + Math.floor(random() * 9)}`);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'articles', 'en'), { recursive: true });
const cats = [...categories];
for (let i = 1; i <= n; i++) {
  const product = pick(products);
  const title = `${pick(titles)} on the ${product}`.replace(/"/g, '');
  const body = [];
  for (let s = 6 + Math.floor(random() * 20); s > 0; s--) {
    let sentence = pick(sentences);
    if (random() < 0.5) sentence += ` ${zipf()} ${zipf()}.`;
    body.push(random() < 0.3 ? `${body.length + 1}. ${sentence}` : sentence);
  }
  writeFileSync(join(out, 'articles', 'en', `gen-${i}.md`),
    `---\nid: gen-${i}\ntitle: ${JSON.stringify(title)}\nlocale: en\ncategory: ${pick(cats)}\n` +
    `tags: [${zipf()}, ${product.split(' ')[1].toLowerCase()}]\nquestions: [${JSON.stringify(`${pick(titles)} ${zipf()}`)}]\n---\n` +
    `## ${pick(titles)}\n\n${body.join('\n\n')}\n`);
}
console.log(`wrote ${n} articles to ${out}`);
