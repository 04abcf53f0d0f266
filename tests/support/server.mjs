// Starts a real `firstfix serve` on a free loopback port for a test.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
const RAISED_LIMITS = ['search', 'login', 'conversations', 'messages', 'uploads', 'events', 'reports']
  .flatMap((name) => ['--limit', `${name}=100000/10000`]);

// With FIRSTFIX_TEST_POSTGRES set (the test command runs the server suite a
// second time inside a throwaway cluster, pg_virtualenv, whose PG*
// variables name it), every server stores in PostgreSQL: a schema of its
// own, named in its data folder so a restart with the same folder finds it.
export const onPostgres = Boolean(process.env.FIRSTFIX_TEST_POSTGRES);

export function postgresUrl(schema) {
  return `postgresql:///?options=-csearch_path%3D${schema}`;
}

// A fresh, empty schema in the test cluster; its --database URL.
export function newPostgresDatabase() {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  execFileSync('psql', ['-qX', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE SCHEMA ${schema}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return postgresUrl(schema);
}

// The --database of the servers started on `data` (undefined: SQLite in it).
export function databaseFor(data) {
  if (!onPostgres) return undefined;
  const file = join(data, '.test-database');
  if (!existsSync(file)) writeFileSync(file, newPostgresDatabase());
  return readFileSync(file, 'utf8');
}

// `database`: a --database URL (default: SQLite in the data folder, or a
// schema of its own when the suite runs on PostgreSQL).
// `demo`: serve with --demo (the demo back office and logins), as the README's run command does.
// `port`: a fixed port (default: any free one), so a restarted server is found where it was.
export async function startServer({ content = join(repo, 'content'), data: reuse, args = [], env = {}, startTimeoutMs = 30000, demoEvents = false, defaultLimits = false, demo = true, database, port = 0 } = {}) {
  const data = reuse ?? mkdtempSync(join(tmpdir(), 'firstfix-serve-'));
  const db = database ?? (onPostgres ? databaseFor(data) : undefined);
  const proc = spawn(firstfixBin,
    ['serve', '--content', content, '--data', data, '--port', String(port), '--widget', join(repo, 'build/widget'),
      ...(demo ? ['--demo'] : []), ...(demoEvents || !demo ? [] : ['--no-demo-events']), ...(defaultLimits ? [] : RAISED_LIMITS),
      ...(db ? ['--database', db] : []), ...args],
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
  // A server that dies on its own says why, in the test's output.
  let stopping = false;
  proc.on('exit', (code, signal) => {
    if (!stopping && (signal || code !== 0)) console.error(`firstfix serve exited unexpectedly (${signal ?? code}); its last output:\n${output.slice(-4000)}`);
  });
  return {
    origin,
    proc,
    data,
    database: db,  // undefined: SQLite in `data`
    output: () => output,
    // kill -9: no shutdown, nothing flushed; the data folder stays for a restart.
    async crash() {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
    async stop({ keepData = Boolean(reuse) } = {}) {
      stopping = true;
      if (proc.exitCode === null && proc.signalCode === null) {
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
