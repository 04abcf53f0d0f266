// Opening hours: outside them, a request for a person becomes a ticket even
// with an agent online, and the customer is told the hours. Bad settings
// are refused by `firstfix check` at their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, repo, firstfixBin } from '../support/server.mjs';
import { flowClient } from '../support/flow_client.mjs';

function contentWith(extra) {
  const dir = mkdtempSync(join(tmpdir(), 'ff-hours-'));
  cpSync(join(repo, 'content'), dir, { recursive: true });
  writeFileSync(join(dir, 'site.yaml'), readFileSync(join(dir, 'site.yaml'), 'utf8') + extra);
  return dir;
}

test('outside opening hours the conversation is a ticket, and the customer is told when chat is open', async () => {
  // Open only on the day after tomorrow (UTC): certainly closed now.
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(new Date().getUTCDay() + 2) % 7];
  const content = contentWith(`chat_hours: "${day} 09:00-17:00"\ntimezone: UTC\n`);
  const server = await startServer({ content });
  try {
    const api = flowClient(server);
    const login = await api.call('POST', '/agent/login', { email: 'agent@brightloop.example', password: 'brightloop-agent' });
    const agent = new WebSocket(server.origin.replace('http', 'ws') + '/agent/ws',
      { headers: { cookie: login.headers.get('set-cookie').split(';')[0], origin: server.origin } });
    await new Promise((resolve) => agent.on('message', (d) => { if (JSON.parse(d.toString()).type === 'hello') resolve(); }));
    const r = await api.call('POST', '/api/v1/chat/conversations', { locale: 'en', trigger: 'request' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.state, 'ticket');
    assert.equal(r.body.reason, 'closed');
    assert.equal(r.body.hours, `${day} 09:00-17:00 (UTC)`);
    agent.close();
  } finally {
    await server.stop();
    rmSync(content, { recursive: true, force: true });
  }
});

test('bad opening hours or time zones are reported at their line', () => {
  const content = contentWith('chat_hours: "Mon-Fry 9-5"\ntimezone: Mars/Olympus\nescalation_failures: 0\nchat_timezone: UTC\n');
  try {
    const r = spawnSync(firstfixBin, ['check', content]);
    assert.equal(r.status, 1);
    const out = r.stdout.toString() + r.stderr.toString();
    assert.match(out, /site\.yaml:\d+:13: chat_hours: unknown day in 'Mon-Fry'/);
    assert.match(out, /site\.yaml:\d+:11: unknown time zone 'Mars\/Olympus'/);
    assert.match(out, /site\.yaml:\d+:1: 'chat_timezone' is now 'timezone'/);  // the old name is not silently ignored
    assert.match(out, /site\.yaml:\d+:22: escalation_failures must be a whole number from 1 to 9/);
  } finally {
    rmSync(content, { recursive: true, force: true });
  }
});
