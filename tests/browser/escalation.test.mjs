// The escalation policy in the widget (core/escalation, running in the
// Worker): two self-service failures offer a person, declining keeps
// self-service going, a third failure offers again, and asking for a
// person is offered at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launch()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const widget = (p) => p.locator('firstfix-widget');
const offer = (p) => widget(p).getByRole('region', { name: /talk to a person|keep looking|person/i });

async function page(context) {
  const p = await context.newPage();
  await p.addInitScript(() => {
    window.__offers = [];
    window.firstfix = function () { (window.firstfix.q = window.firstfix.q || []).push(arguments); };
    window.firstfix('on', 'escalationOffer', (e) => window.__offers.push(e));
  });
  await p.goto(server.origin + '/');
  return p;
}

test('two failures in a flow offer a person; declining hides it; a third failure offers again', async () => {
  const context = await browser.newContext();
  const p = await page(context);
  await p.evaluate(() => window.firstfix('startFlow', 'order-tracking'));
  const tryOrder = async (order) => {
    await widget(p).getByLabel('Order number').fill(order);
    await widget(p).getByLabel('Email used for the order').fill('ana@example.com');
    await widget(p).getByRole('button', { name: 'Continue' }).click();
    await widget(p).getByText("We couldn't find that order number").waitFor();
  };
  await tryOrder('BL-90001');
  await p.waitForTimeout(300);
  assert.equal(await widget(p).locator('.offer').isHidden(), true, 'one failure: no offer');
  await tryOrder('BL-90002');
  await widget(p).locator('.offer').waitFor();
  assert.match(await widget(p).locator('.offer').innerText(), /talk to a person\? They will see what you have tried/);
  const [first] = await p.evaluate(() => window.__offers);
  assert.equal(first.trigger, 'failures');
  assert.equal(first.failures, 2);
  assert.match(first.reasons.join(' '), /order-tracking: We couldn't find that order/);
  assert.equal(await widget(p).locator('.offer').getByRole('button', { name: 'Talk to a person' }).count(), 1);

  await widget(p).getByRole('button', { name: "No thanks, I'll keep looking" }).click();
  assert.equal(await widget(p).locator('.offer').isHidden(), true);
  await tryOrder('BL-90003');
  await widget(p).locator('.offer').waitFor();
  assert.equal((await p.evaluate(() => window.__offers)).length, 2);
  await context.close();
});

test('asking for a person in the search box offers one at once', async () => {
  const context = await browser.newContext();
  const p = await page(context);
  await widget(p).locator('.launcher').click();
  await widget(p).getByRole('searchbox').pressSequentially('i want to talk to a human', { delay: 15 });
  await widget(p).locator('.offer').waitFor({ timeout: 15000 });
  assert.match(await widget(p).locator('.offer').innerText(), /Of course/);
  const offers = await p.evaluate(() => window.__offers);
  assert.equal(offers.length, 1);
  assert.equal(offers[0].trigger, 'request');
  await context.close();
});

test('a help center can offer a person sooner: escalation_failures: 1', async () => {
  const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { repo } = await import('../support/server.mjs');
  const content = mkdtempSync(join(tmpdir(), 'ff-esc-'));
  cpSync(join(repo, 'content'), content, { recursive: true });
  writeFileSync(join(content, 'site.yaml'), readFileSync(join(content, 'site.yaml'), 'utf8') + 'escalation_failures: 1\n');
  const strict = await startServer({ content });
  const context = await browser.newContext();
  try {
    const p = await context.newPage();
    await p.goto(strict.origin + '/');
    await p.evaluate(() => window.firstfix('startFlow', 'order-tracking'));
    await widget(p).getByLabel('Order number').fill('BL-90009');
    await widget(p).getByLabel('Email used for the order').fill('ana@example.com');
    await widget(p).getByRole('button', { name: 'Continue' }).click();
    await widget(p).locator('.offer').waitFor({ timeout: 15000 });
  } finally {
    await context.close();
    await strict.stop();
    rmSync(content, { recursive: true, force: true });
  }
});
