// `firstfix serve` as a help center runs it for real: no --demo, so no demo
// back office and no published password; staff accounts made with
// `firstfix staff`; Secure cookies over HTTPS, directly or behind a proxy
// named by --trust-proxy; staff pages never framed; agent sockets only from
// the public origin.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo, firstfixBin, databaseFor } from '../support/server.mjs';

const firstfix = firstfixBin;
const folders = [];
after(() => { for (const f of folders) rmSync(f, { recursive: true, force: true }); });
const dataFolder = () => { const d = mkdtempSync(join(tmpdir(), 'firstfix-prod-')); folders.push(d); return d; };

const staff = (data, args, input) => {
  const database = databaseFor(data);
  return spawnSync(firstfix, ['staff', ...args, '--data', data, ...(database ? ['--database', database] : [])], { input, timeout: 20000 });
};
const login = (origin, email, password, headers = {}) => fetch(`${origin}/agent/login`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }),
});

test('without --demo: no demo back office, no demo logins, flows that need it are off with a reason, articles served', async () => {
  const data = dataFolder();
  // A folder once served with --demo: its demo logins are removed on the next start without it.
  const demo = await startServer({ data });
  assert.equal((await login(demo.origin, 'agent@brightloop.example', 'brightloop-agent')).status, 200);
  await demo.stop();
  const s = await startServer({ data, demo: false });
  try {
    const out = s.output();
    assert.match(out, /removed the demo login agent@brightloop\.example/);
    assert.match(out, /removed the demo login editor@brightloop\.example/);
    assert.match(out, /no staff account yet: add one with `firstfix staff add --data(base URL)? /);
    assert.match(out, /flow 'order-tracking' is off: .*demo/);
    assert.equal((await login(s.origin, 'agent@brightloop.example', 'brightloop-agent')).status, 401);
    assert.equal((await login(s.origin, 'editor@brightloop.example', 'brightloop-editor')).status, 401);
    assert.equal((await fetch(`${s.origin}/demo/outbox`)).status, 404);
    const start = await fetch(`${s.origin}/api/v1/flows/order-tracking/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(start.status, 503);
    assert.match((await start.json()).error, /switched off/);
    const search = await (await fetch(`${s.origin}/api/v1/search?q=reset%20password`)).json();
    assert.ok(search.results.length > 0);
    assert.equal((await fetch(`${s.origin}/api/v1/articles/${search.results.find((x) => x.kind === 'article').id}`)).status, 200);
    assert.equal((await fetch(`${s.origin}/healthz`)).status, 200);
  } finally {
    await s.stop({ keepData: true });
  }
});

test('firstfix staff: add, list, passwd and remove; the password comes from stdin, never argv', async () => {
  const data = dataFolder();
  let r = staff(data, ['add', '--email', 'mia@help.example', '--role', 'agent', '--name', 'Mia'], 'correct horse battery\n');
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /added mia@help\.example as agent/);
  r = staff(data, ['add', '--email', 'short@help.example', '--role', 'agent'], 'tooshort\n');
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /shorter than 12 characters/);
  r = staff(data, ['add', '--email', 'x@help.example', '--role', 'boss'], 'correct horse battery\n');
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /--role: boss not in \{agent,editor\}/);
  r = staff(data, ['add', '--email', 'x@help.example', '--role', 'agent', '--password', 'in-argv-for-all-to-see']);
  assert.notEqual(r.status, 0, 'there is no --password option');
  r = staff(data, ['list']);
  assert.equal(r.stdout.toString(), 'mia@help.example\tagent\tMia\n');

  const s = await startServer({ data, demo: false });
  try {
    assert.doesNotMatch(s.output(), /no staff account yet/);
    assert.equal((await login(s.origin, 'mia@help.example', 'correct horse battery')).status, 200);
    assert.equal(staff(data, ['passwd', '--email', 'mia@help.example'], 'a new long password\n').status, 0);
    assert.equal((await login(s.origin, 'mia@help.example', 'correct horse battery')).status, 401);
    const ok = await login(s.origin, 'mia@help.example', 'a new long password');
    assert.equal(ok.status, 200);
    const cookie = ok.headers.get('set-cookie').split(';')[0];
    assert.equal((await fetch(`${s.origin}/api/v1/agent/queue`, { headers: { cookie } })).status, 200);
    r = staff(data, ['remove', '--email', 'mia@help.example']);
    assert.equal(r.status, 0);
    assert.equal((await fetch(`${s.origin}/api/v1/agent/queue`, { headers: { cookie } })).status, 401, 'removing an account ends its sessions');
    assert.equal((await login(s.origin, 'mia@help.example', 'a new long password')).status, 401);
    assert.equal(staff(data, ['remove', '--email', 'mia@help.example']).status, 1);
  } finally {
    await s.stop({ keepData: true });
  }
});

test('cookies are Secure over HTTPS: by --public-url, or X-Forwarded-Proto from a trusted proxy only', async () => {
  const data = dataFolder();
  assert.equal(staff(data, ['add', '--email', 'ed@help.example', '--role', 'editor'], 'correct horse battery\n').status, 0);
  const cookieOf = async (origin, headers) => (await login(origin, 'ed@help.example', 'correct horse battery', headers)).headers.get('set-cookie');

  let s = await startServer({ data, demo: false });
  try {
    assert.doesNotMatch(await cookieOf(s.origin), /Secure/);
    assert.doesNotMatch(await cookieOf(s.origin, { 'x-forwarded-proto': 'https' }), /Secure/, 'a stranger cannot claim HTTPS');
    const page = await fetch(`${s.origin}/reports`);
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.match((await fetch(`${s.origin}/agent`)).headers.get('content-security-policy'), /frame-ancestors 'none'/);
  } finally {
    await s.stop({ keepData: true });
  }
  s = await startServer({ data, demo: false, args: ['--trust-proxy', '127.0.0.1'] });
  try {
    const cookie = await cookieOf(s.origin, { 'x-forwarded-proto': 'https' });
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(await cookieOf(s.origin, { 'x-forwarded-proto': 'http' }), /Secure/);
  } finally {
    await s.stop({ keepData: true });
  }
  s = await startServer({ data, demo: false, args: ['--public-url', 'https://help.example.com'] });
  try {
    assert.match(await cookieOf(s.origin), /; Secure/);
  } finally {
    await s.stop({ keepData: true });
  }
});

test('the client address comes from X-Forwarded-For only when the proxy is trusted', async () => {
  // The login limit is per client: behind a trusted proxy two customers are two clients.
  const data = dataFolder();
  const s = await startServer({ data, demo: false, defaultLimits: true, args: ['--trust-proxy', '127.0.0.1', '--limit', 'login=10/2'] });
  try {
    const from = (ip) => login(s.origin, 'nobody@help.example', 'wrong password!', { 'x-forwarded-for': `203.0.113.9, ${ip}` });
    assert.equal((await from('198.51.100.1')).status, 401);
    assert.equal((await from('198.51.100.1')).status, 401);
    const limited = await from('198.51.100.1');
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('retry-after'), /^\d+$/);
    assert.equal((await from('198.51.100.2')).status, 401, 'another client behind the proxy is not limited');
  } finally {
    await s.stop({ keepData: true });
  }
  const direct = await startServer({ data, demo: false, defaultLimits: true, args: ['--limit', 'login=10/2'] });
  try {
    const from = (ip) => login(direct.origin, 'nobody@help.example', 'wrong password!', { 'x-forwarded-for': ip });
    await from('198.51.100.1');
    await from('198.51.100.2');
    assert.equal((await from('198.51.100.3')).status, 429, 'without --trust-proxy the header is ignored');
  } finally {
    await direct.stop({ keepData: true });
  }
});
