// The widget records what customers do for the reports, in Chromium
// against a real `firstfix serve`: personal data never leaves the page
// (scrubbed by the core in the Worker), batches survive a flaky network and
// a navigation and are counted once, the one-question survey is recorded,
// and without consent nothing is sent or kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launch, hostPage } from '../support/browser.mjs';
import { flowClient } from '../support/flow_client.mjs';

let server, browser, api, editor;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  api = flowClient(server);
  const login = await api.call('POST', '/agent/login', { email: 'editor@brightloop.example', password: 'brightloop-editor' });
  editor = { cookie: login.headers.get('set-cookie').split(';')[0] };
});
after(async () => { await browser?.close(); await server?.stop(); });

const widget = (p) => p.locator('firstfix-widget');
const today = () => new Date().toISOString().slice(0, 10);
const visitsOnServer = async () => (await api.call('GET', `/api/v1/reports/visits?from=${today()}&to=${today()}&limit=1000`, undefined, editor)).body.visits;

test('searches, clicks, votes, flows and the survey reach the reports, scrubbed, once, through a flaky network', async () => {
  const context = await browser.newContext();
  // No beacon (an old browser, or one that dropped it): only the retried requests can deliver.
  await context.addInitScript(() => { navigator.sendBeacon = () => false; });
  const page = await context.newPage();
  const bodies = [];
  let refusals = 2;  // the first two deliveries fail, as on a train
  await context.route('**/api/v1/events', async (route) => {
    bodies.push(route.request().postData() || '');
    if (refusals > 0) { refusals -= 1; return route.abort('internetdisconnected'); }
    return route.continue();
  });
  await page.goto(server.origin + '/');
  await widget(page).locator('.launcher').click();
  const box = widget(page).getByRole('searchbox');
  await box.pressSequentially('reset password ana.lopez@example.com', { delay: 15 });
  await widget(page).locator('.results a').first().waitFor();
  await page.waitForTimeout(1500);  // the search settles
  await box.fill('');
  await box.pressSequentially('reset password', { delay: 15 });
  await widget(page).locator('.results a[data-kind=article]').first().waitFor();
  const kinds = await widget(page).locator('#ff-results a').evaluateAll((as) => as.map((a) => a.dataset.kind));
  const position = kinds.indexOf('article') + 1;  // a task flow may come first
  await widget(page).locator('.results a[data-kind=article]').first().click();  // clicked before it settled: recorded first
  await widget(page).getByRole('button', { name: 'Yes' }).click();
  await widget(page).getByText('Thanks for your feedback!').waitFor();

  // A flow to its done state, then the survey.
  await page.evaluate(() => window.firstfix('startFlow', 'order-tracking'));
  await widget(page).getByLabel('Order number').fill('BL-10422');
  await widget(page).getByLabel('Email used for the order').fill('ana@example.com');
  await widget(page).getByRole('button', { name: 'Continue' }).click();
  await widget(page).locator('.flow-done').waitFor();
  await widget(page).getByRole('button', { name: '4 out of 5' }).click();

  // Leaving the page: the queue stays in sessionStorage until the next page has delivered it.
  await page.goto(server.origin + '/articles/track-order');
  let mine;
  for (let i = 0; i < 120 && !mine?.events.some((e) => e.type === 'survey'); i++) {
    await page.waitForTimeout(250);
    mine = (await visitsOnServer()).find((v) => v.events.some((e) => e.type === 'search' && /reset password/.test(e.query)));
  }
  assert.ok(mine, 'the visit reached the server');
  const types = mine.events.map((e) => e.type);
  for (const t of ['search', 'result_click', 'article_view', 'vote', 'flow_start', 'flow_step', 'flow_done', 'survey'])
    assert.ok(types.includes(t), `${t} recorded: ${types.join(', ')}`);
  const searches = mine.events.filter((e) => e.type === 'search');
  assert.deepEqual(searches.map((e) => e.query), ['reset password [email]', 'reset password']);
  const click = mine.events.find((e) => e.type === 'result_click');
  assert.equal(click.search_id, searches[1].search_id, 'the click belongs to the search it came from');
  assert.equal(click.position, position);
  assert.equal(mine.events.find((e) => e.type === 'vote').helpful, true);
  assert.equal(mine.events.find((e) => e.type === 'flow_done').outcome, 'resolved');
  assert.equal(mine.events.find((e) => e.type === 'survey').score, 4);
  assert.ok(mine.resolved, 'a helpful vote and a resolved flow: a resolved visit');
  // Counted once, though sent several times (failed tries, the beacon, the resend from the next page).
  const ids = mine.events.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(bodies.length >= 3, `sent ${bodies.length} times`);
  // And the address never left the page, in any attempt.
  assert.ok(bodies.every((b) => !b.includes('ana.lopez@example.com') && !b.includes('ana@example.com')), 'no personal data in any batch');
  // Nor the flow session's id, which grants access to the session: its public link instead.
  assert.ok(bodies.every((b) => !/fs_[0-9a-f]{32}/.test(b)), 'no flow session id in any batch');
  const flowEvents = mine.events.filter((e) => e.type.startsWith('flow_'));
  assert.ok(flowEvents.length >= 3 && flowEvents.every((e) => /^fl_[0-9a-f]{24}$/.test(e.session)), JSON.stringify(flowEvents));
  // The visitor: an anonymous id in the page (an identified customer's would be a hash of their id),
  // stored only as the server's keyed hash of it, the same across the visit.
  assert.equal(new Set(mine.events.map((e) => e.visitor)).size, 1, JSON.stringify(mine.events.map((e) => [e.type, e.visitor, e.seq])));
  assert.match(mine.events[0].visitor, /^p-[0-9a-f]{32}$/);
  const sentVisitor = JSON.parse(bodies.at(-1)).events[0].visitor;
  assert.match(sentVisitor, /^a-/);
  assert.ok(!JSON.stringify(mine).includes(sentVisitor), 'the id the page sent is not stored');
  // Nothing left once the server has it.
  await page.waitForFunction(() => !JSON.parse(sessionStorage.getItem('firstfix.events') || '[]').length);
  await context.close();
});

test('without consent nothing is recorded, sent or kept', async () => {
  const context = await browser.newContext();
  let sent = 0;
  await context.route('**/api/v1/events', (route) => { sent += 1; return route.continue(); });
  const page = await hostPage(context, server.origin, '/consent-page',
    `<!doctype html><html lang="en"><body><h1>Shop</h1><script src="${server.origin}/widget.js" data-consent="ask" async></script></body></html>`);
  await widget(page).locator('.launcher').click();
  await widget(page).getByRole('searchbox').pressSequentially('where is my order', { delay: 15 });
  await widget(page).locator('.results a').first().waitFor();
  await page.waitForTimeout(1500);
  await widget(page).locator('.results a[data-kind=article]').first().click();
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await page.waitForTimeout(500);
  assert.equal(sent, 0);
  assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem('firstfix.events'), localStorage.getItem('firstfix.visitor')]), [null, null]);

  // Granted, then withdrawn: what was queued is forgotten.
  await page.evaluate(() => window.firstfix('consent', true));
  await widget(page).getByRole('button', { name: /Back/ }).click();
  await widget(page).getByRole('searchbox').fill('');
  await widget(page).getByRole('searchbox').pressSequentially('refund', { delay: 15 });
  await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('firstfix.events') || '[]').length > 0, null, { timeout: 5000 });
  await page.evaluate(() => window.firstfix('consent', false));
  assert.deepEqual(await page.evaluate(() => [sessionStorage.getItem('firstfix.events'), localStorage.getItem('firstfix.visitor')]), [null, null]);
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await page.waitForTimeout(300);
  assert.equal(sent, 0);
  await context.close();
});
