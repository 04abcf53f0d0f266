// Builds the widget into build/widget/: the loader (served as /widget.js),
// the panel and the Worker (served under content-hashed names), beside the
// wasm engine from build/wasm. Run after the wasm preset is built.
import { build, transform } from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'widget');
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, target: ['chrome100', 'firefox100', 'safari15'], legalComments: 'none' };

await build({ ...common, entryPoints: [join(root, 'widget/src/loader.js')], outfile: join(out, 'loader.js'), format: 'iife' });
// The panel's flow and chat views are chunks it imports on first use, at
// chunks/<name>-<hash>.js beside it (served under /assets/chunks/).
rmSync(join(out, 'chunks'), { recursive: true, force: true });
await build({ ...common, entryPoints: [join(root, 'widget/src/panel.js')], outdir: out, format: 'esm', splitting: true,
  entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]' });
await build({ ...common, entryPoints: [join(root, 'widget/src/worker.js')], outfile: join(out, 'worker.js'), format: 'iife' });
await build({ ...common, entryPoints: [join(root, 'widget/src/index.js')], outfile: join(out, 'firstfix.mjs'), format: 'esm' });
// The agent console's script (served by firstfix serve at /agent).
await build({ ...common, entryPoints: [join(root, 'native_server/staff/pages/console.js')], outfile: join(out, 'console.js'), format: 'iife' });
// The reports page's script, with Chart.js (served at /reports).
await build({ ...common, entryPoints: [join(root, 'native_server/staff/pages/reports.js')], outfile: join(out, 'reports.js'), format: 'iife' });
copyFileSync(join(root, 'widget/firstfix.d.ts'), join(out, 'firstfix.d.ts'));
// The flow files' JSON Schema, which the server serves for editors (docs/flow-language.md).
copyFileSync(join(root, 'docs/flow.schema.json'), join(out, 'flow.schema.json'));

const wasm = join(root, 'build', 'wasm');
for (const f of ['firstfix.js', 'firstfix.wasm', 'firstfix-flow.js', 'firstfix-flow.wasm', 'icu-cjk.dat']) {
  if (!existsSync(join(wasm, f))) throw new Error(`missing ${join(wasm, f)}: build the wasm preset first`);
  copyFileSync(join(wasm, f), join(out, f));
}
// Emscripten's glue is only whitespace-minified (no Closure Compiler here);
// esbuild renames its locals too: 24 -> 20 KB brotli. Top-level names
// (createFirstfix) stay, as in any classic script.
for (const glue of ['firstfix.js', 'firstfix-flow.js'])
  writeFileSync(join(out, glue), (await transform(readFileSync(join(out, glue), 'utf8'), { minify: true, target: common.target })).code);
// Brotli at its best quality, once here rather than at every server start:
// the server sends these to browsers that accept br (the wasm: 470 KB vs
// 614 KB gzip).
const chunks = readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => `chunks/${f}`);
for (const f of ['firstfix.js', 'firstfix.wasm', 'firstfix-flow.js', 'firstfix-flow.wasm', 'icu-cjk.dat', 'panel.js', 'worker.js', ...chunks]) {
  const bytes = readFileSync(join(out, f));
  writeFileSync(join(out, `${f}.br`), brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
}
console.log(`widget built in ${out}`);
