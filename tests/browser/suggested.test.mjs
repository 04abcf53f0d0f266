// The panel never opens on a blank body: before anything is typed it shows
// the page's own articles and flows, then the help center's most helpful
// (core/content/suggested.h, answered in the Worker from the loader's
// config, or by the server while the Worker starts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launch, hostPage } from '../support/browser.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launch()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const html = (attrs = '') => '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>' +
  `<body><h1>Shop</h1><script src="/widget.js" ${attrs} async></script></body></html>`;
const widget = (p) => p.locator('firstfix-widget');
const ids = (locator) => locator.evaluateAll((as) => as.map((a) => `${a.dataset.kind}:${a.dataset.id}`));

async function openPanel(p) {
  await p.waitForFunction(() => window.firstfix && window.firstfix.loaded);
  await p.evaluate(() => { window.__suggestions = []; window.firstfix('on', 'suggestions', (e) => window.__suggestions.push(e)); });
  await widget(p).locator('.launcher').click();
  await p.waitForFunction(() => window.__suggestions.length > 0);
  return p.evaluate(() => window.__suggestions.at(-1));
}

test('on a page nothing names, the panel opens on the most helpful, the same from the server and from the Worker', async () => {
  const context = await browser.newContext();
  const asked = [];
  context.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/suggested') asked.push(r.url()); });
  // Loaded on open: the Worker is not ready yet, so the server answers the first time.
  const p = await hostPage(context, server.origin, '/host/home', html('data-preload="open"'));
  await p.waitForFunction(() => window.firstfix && window.firstfix.loaded);
  const cold = await openPanel(p);
  assert.equal(asked.length, 1, 'the server answered while the Worker started');
  assert.equal(cold.source, 'static');  // this server has no events yet: every flow, then the articles tied to pages
  assert.ok(cold.items.length >= 4, JSON.stringify(cold));
  assert.ok(cold.items.every((i) => i.reason === 'static'));
  assert.equal(cold.items[0].kind, 'flow');
  const popular = widget(p).locator('ul.popular a');
  assert.deepEqual(await ids(popular), cold.items.map((i) => `${i.kind}:${i.id}`));
  assert.equal(await widget(p).locator('h3').first().textContent(), 'Most helpful');
  assert.equal(await widget(p).locator('ul.for-page').count(), 0);

  // Once the Worker answers searches, clearing the box asks it, not the server, and it says the same.
  const box = widget(p).getByRole('searchbox');
  await p.evaluate(() => { window.__engines = []; window.firstfix('on', 'search', (e) => window.__engines.push(e.engine)); });
  for (let i = 0; i < 50; i++) {
    await box.fill(`wifi ${'x'.repeat(i % 3)}`);
    await p.waitForTimeout(100);
    if (await p.evaluate(() => window.__engines.includes('wasm'))) break;
  }
  assert.ok(await p.evaluate(() => window.__engines.includes('wasm')), 'the Worker answered');
  await box.fill('');
  await p.waitForFunction(() => window.__suggestions.length > 1);
  const warm = await p.evaluate(() => window.__suggestions.at(-1));
  assert.deepEqual(warm, cold);
  assert.equal(asked.length, 1, 'no request once the Worker is ready');
  // Arrow keys walk the list from the search box, as they walk results.
  await box.press('ArrowDown');
  assert.equal(await widget(p).locator('ul.popular a').first().evaluate((a) => a.getRootNode().activeElement === a), true);
  // An item opens like a result: a flow starts.
  await widget(p).locator('ul.popular a[data-kind=flow]').first().click();
  await widget(p).locator('.flow-step h1').waitFor();
  await context.close();
});

test("a page's own articles and flows come first, flows before articles, and are not repeated below", async () => {
  const context = await browser.newContext();
  const p = await hostPage(context, server.origin, '/account/billing/cards', html());
  const list = await openPanel(p);
  const forPage = await ids(widget(p).locator('ul.for-page a'));
  assert.deepEqual(forPage, list.items.filter((i) => i.reason === 'page').map((i) => `${i.kind}:${i.id}`));
  assert.ok(forPage.includes('flow:billing-update') && forPage.includes('article:update-payment-method'), forPage.join());
  assert.ok(forPage.indexOf('article:update-payment-method') > forPage.lastIndexOf('flow:billing-update'));
  assert.equal(await widget(p).locator('h3').first().textContent(), 'Suggested for this page');
  const below = await ids(widget(p).locator('ul.popular a'));
  assert.ok(below.length > 0 && below.every((x) => !forPage.includes(x)), below.join());
  // Typing replaces the list with results; clearing brings it back.
  const box = widget(p).getByRole('searchbox');
  await box.fill('refund');
  await widget(p).locator('ul#ff-results a').first().waitFor();
  assert.equal(await widget(p).locator('ul.for-page').count(), 0);
  await box.fill('');
  await widget(p).locator('ul.for-page a').first().waitFor();
  await context.close();
});

test('with a month of events, the list follows what resolved', async () => {
  const withEvents = await startServer({ demoEvents: true });
  try {
    const context = await browser.newContext();
    const p = await hostPage(context, withEvents.origin, '/host/home', html());
    const list = await openPanel(p);
    assert.equal(list.source, 'reports');
    assert.ok(list.items.length > 0 && list.items.every((i) => i.reason === 'reports'), JSON.stringify(list));
    // The order is the reports': what resolved most first (the server's figures, by the same definition).
    const api = await (await fetch(`${withEvents.origin}/api/v1/suggested?page=${encodeURIComponent(p.url())}&locale=en`)).json();
    assert.deepEqual(list.items, api.items.map(({ id, kind, reason }) => ({ id, kind, reason })));
    await context.close();
  } finally {
    await withEvents.stop();
  }
});
