// The reports page in Chromium against a real `firstfix serve` with the
// demo month of events: an editor logs in and sees the figures; filters
// change them (and they match the API); the CSV export matches the tables;
// a figure drills down to the searches behind it; a screenshot is kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, repo } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer({ demoEvents: true }), launch()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const cardValue = (page, metric) => page.locator(`.card[data-metric="${metric}"]`).getAttribute('data-value').then(Number);

test('an editor reads the reports, filters them, drills down and exports what the tables show', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) errors.push(m.text()); });
  await page.goto(server.origin + '/reports');
  // An agent's login is not an editor's.
  await page.getByLabel('Email').fill('agent@brightloop.example');
  await page.getByLabel('Password').fill('brightloop-agent');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: 'reports need an editor login' }).waitFor();
  await page.getByLabel('Email').fill('editor@brightloop.example');
  await page.getByLabel('Password').fill('brightloop-editor');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Robin (demo editor)').waitFor();
  await page.locator('.card[data-metric="Resolution rate"]').waitFor();

  // The content version customers get now, as /healthz names it.
  const live = await page.evaluate(async () => (await fetch('/healthz')).json());
  await page.waitForFunction((v) => document.querySelector('#content-version')?.dataset.version === v, live.content.version);
  assert.match(await page.locator('#content-version').innerText(), new RegExp(`^Live content: version ${live.content.version}, published `));

  // The figures are the API's.
  const api = async (q) => page.evaluate(async (query) => (await fetch(`/api/v1/reports?${query}`)).json(), q);
  const range = `from=${await page.locator('#from').inputValue()}&to=${await page.locator('#to').inputValue()}`;
  const all = await api(range);
  assert.ok(all.visits > 3000);
  assert.equal(await cardValue(page, 'Resolution rate'), all.resolution_rate);
  assert.equal(await cardValue(page, 'Deflection rate'), all.deflection_rate);
  assert.equal(await page.locator('.card[data-metric="Resolution rate"] .value').innerText(), `${(all.resolution_rate * 100).toFixed(1)}%`);
  assert.ok(await page.locator('#trend').evaluate((c) => c.width > 300 && c.height > 100), 'the chart is drawn');

  // A filter changes the figures, to what the API says for it.
  await page.locator('#locale').selectOption('es');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('status').filter({ hasText: /visits/ }).waitFor();
  await page.waitForFunction((v) => document.querySelector('.card[data-metric="Searches"]')?.dataset.value !== String(v), all.searches);
  const es = await api(`${range}&locale=es`);
  assert.ok(es.searches < all.searches);
  assert.equal(await cardValue(page, 'Searches'), es.searches);
  assert.equal(await cardValue(page, 'Search success rate'), es.search_success_rate);
  // Spanish categories only, now.
  const categories = await page.locator('#category option').allInnerTexts();
  assert.ok(categories.includes('Pedidos y envíos') && !categories.includes('Orders & delivery'));
  await page.locator('#locale').selectOption('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction((v) => document.querySelector('.card[data-metric="Searches"]')?.dataset.value === String(v), all.searches);

  // Sorting a table by a column.
  const gapRows = page.locator('[data-table=gaps] tbody tr');
  await page.locator('[data-table=gaps] th').filter({ hasText: 'Searches' }).getByRole('button').click();
  const counts = (await page.locator('[data-table=gaps] tbody td[data-key=searches]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value))));
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'sorted by searches, most first');
  assert.equal(await page.locator('[data-table=gaps] th[aria-sort=descending]').count(), 1);

  // The CSV export matches the tables on the page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  const section = (header) => {
    const lines = csv.split('\n');
    const start = lines.findIndex((l) => l.startsWith(header));
    const rows = [];
    for (let i = start + 1; i < lines.length && lines[i]; i++) rows.push(lines[i]);
    return rows;
  };
  const csvGaps = section('content_gap,').map((l) => l.split(','));
  const pageGaps = await gapRows.evaluateAll((trs) => trs.map((tr) => Object.fromEntries([...tr.children].map((td) => [td.dataset.key, td.dataset.value]))));
  assert.equal(csvGaps.length, pageGaps.length);
  for (const row of pageGaps) {
    const match = csvGaps.find((c) => c[0] === row.normalized);
    assert.ok(match, `${row.normalized} is in the CSV`);
    assert.deepEqual([match[2], match[3], match[4], match[6]], [row.searches, row.no_results, row.no_clicks, row.trend]);
  }
  const csvArticles = section('article,').map((l) => l.split(','));
  const pageViews = await page.locator('[data-table=articles] tbody td[data-key=views]').evaluateAll((tds) => tds.map((td) => td.dataset.value));
  assert.deepEqual(pageViews.map(Number).sort((a, b) => a - b), csvArticles.map((c) => Number(c[2])).sort((a, b) => a - b));
  const summary = Object.fromEntries(csv.split('\n').filter((l) => l.startsWith('summary,')).map((l) => l.split(',').slice(1)));
  assert.ok(Math.abs(Number(summary.resolution_rate) - await cardValue(page, 'Resolution rate')) < 1e-5);

  // Drill-down: a content gap opens the searches behind it.
  const first = pageGaps[0];
  await gapRows.filter({ has: page.locator(`td[data-key=normalized][data-value="${first.normalized}"]`) }).click();
  await page.locator('#drill').waitFor();
  assert.match(await page.locator('#h-drill').innerText(), /Unanswered searches for/);
  assert.equal(await page.locator('[data-table=drill] tbody tr').count(), Math.min(200, Number(first.no_clicks)));
  // A figure opens the visits behind it, event by event.
  await page.locator('.card[data-metric="Escalation rate"]').click();
  await page.getByRole('heading', { name: 'Visits that went to a person' }).waitFor();
  assert.match(await page.locator('#drill .visits li').first().innerText(), /went to a person/);

  mkdirSync(join(repo, 'build', 'screenshots'), { recursive: true });
  await page.locator('#drill').evaluate((d) => { d.hidden = true; window.scrollTo(0, 0); });
  await page.screenshot({ path: join(repo, 'build', 'screenshots', 'reports.png'), fullPage: false });
  assert.deepEqual(errors, []);
  await context.close();
});

test('axe-core finds no serious or critical violations on the reports page', async () => {
  const context = await browser.newContext({ bypassCSP: true });  // so axe can be injected into the strict-CSP page
  const page = await context.newPage();
  await page.goto(server.origin + '/reports');
  await page.getByLabel('Email').fill('editor@brightloop.example');
  await page.getByLabel('Password').fill('brightloop-editor');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-table=gaps] tbody tr').first().waitFor();
  await page.addScriptTag({ content: readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.length}`));
  assert.deepEqual(violations, []);
  await context.close();
});
