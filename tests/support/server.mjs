// Starts a real `firstfix serve` on a free loopback port for a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The firstfix binary under test: the native build's, or another (the asan
// preset's ctest sets FIRSTFIX_BIN to its own).
export const firstfixBin = process.env.FIRSTFIX_BIN || join(repo, 'build/native/firstfix');

// `data`: an existing data folder to reuse (kept on stop), e.g. to restart a server.
// `args`: extra `firstfix serve` flags; `env`: extra environment variables;
// `demoEvents`: start with the demo month of events (as the README's run command does).
// `defaultLimits`: keep the per-client rate limits at their defaults; otherwise
// they are raised, because every request of a test comes from one address
// (the limits themselves are tested in hostile.test.mjs with their defaults).
const RAISED_LIMITS = ['search', 'login', 'conversations', 'messages', 'uploads', 'events']
  .flatMap((name) => ['--limit', `${name}=100000/10000`]);

// `demo`: serve with --demo (the demo back office and logins), as the README's run command does.
export async function startServer({ content = join(repo, 'content'), data: reuse, args = [], env = {}, startTimeoutMs = 30000, demoEvents = false, defaultLimits = false, demo = true } = {}) {
  const data = reuse ?? mkdtempSync(join(tmpdir(), 'firstfix-serve-'));
  const proc = spawn(firstfixBin,
    ['serve', '--content', content, '--data', data, '--port', '0', '--widget', join(repo, 'build/widget'),
      ...(demo ? ['--demo'] : []), ...(demoEvents || !demo ? [] : ['--no-demo-events']), ...(defaultLimits ? [] : RAISED_LIMITS), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), startTimeoutMs);
    const onData = (d) => {
      output += d;
      const m = /serving .* at (http:\/\/[\d.]+:\d+)\//.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${output}`)); });
  });
  return {
    origin,
    proc,
    data,
    output: () => output,
    async stop({ keepData = Boolean(reuse) } = {}) {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      if (!keepData) rmSync(data, { recursive: true, force: true });
      // Under the asan preset a sanitizer's report fails the test that ran the server.
      const report = /ERROR: (?:Address|Leak)Sanitizer[\s\S]{0,3000}|runtime error:[\s\S]{0,3000}/.exec(output);
      if (report) throw new Error(`the server's sanitizers reported:\n${report[0]}`);
    },
  };
}
