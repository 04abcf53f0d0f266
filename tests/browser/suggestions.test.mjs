// The Suggestions tab in Chromium against a real `firstfix serve` on a copy
// of the sample content, after visits that teach it something: an editor
// sees the question with its evidence and ranks, accepts it (the article's
// file gains one line; the server publishes it, and the widget's in-page
// engine, on the new version, ranks the article first for that wording),
// reverts it (the file byte for byte), dismisses a gap, and accepts and
// reverts a synonym line. A screenshot is kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, repo } from '../support/server.mjs';
import { launch, untilInPage } from '../support/browser.mjs';
import { postLearningEvents } from '../support/learning_visits.mjs';

let server, browser, work, content;
const articleFile = () => join(content, 'articles/en/orders/missing-package.md');
let original;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'firstfix-suggestions-'));
  content = join(work, 'content');
  cpSync(join(repo, 'content'), content, { recursive: true });
  original = readFileSync(articleFile(), 'utf8');
  [server, browser] = await Promise.all([startServer({ content }), launch()]);
  await postLearningEvents(server.origin, 'browser');
});
after(async () => { await browser?.close(); await server?.stop(); rmSync(work, { recursive: true, force: true }); });

// What the widget's in-page engine ranks first for `query`, for a visitor
// arriving now (a browser of its own: one that loaded the help center in the
// last five minutes keeps its cached loader, README: "Publishing content").
async function widgetFirst(query) {
  const visitor = await browser.newContext();
  const p = await visitor.newPage();
  await p.goto(server.origin + '/');
  await p.evaluate(() => { window.__searches = []; window.firstfix('on', 'search', (e) => window.__searches.push(e)); });
  await p.locator('firstfix-widget .launcher').click();
  await p.locator('firstfix-widget').getByRole('searchbox').waitFor();
  await p.locator('firstfix-widget').getByRole('searchbox').pressSequentially(`${query} `, { delay: 20 });
  await untilInPage(p, `${query} `);
  const ids = await p.evaluate((q) => window.__searches.filter((s) => s.query === q && s.engine === 'wasm').pop().results, `${query} `);
  await visitor.close();
  return ids[0];
}

test('an editor accepts a suggested question: the file gains one line, the published index ranks the article first; revert and dismiss', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) errors.push(m.text()); });
  assert.notEqual(await widgetFirst('my box never showed up'), 'missing-package', 'not first before');

  await page.goto(server.origin + '/reports#suggestions');
  await page.getByLabel('Email').fill('editor@brightloop.example');
  await page.getByLabel('Password').fill('brightloop-editor');
  await page.getByRole('button', { name: 'Log in' }).click();
  // The link opened the tab; the filters are the reports'.
  const tab = page.getByRole('tab', { name: /Suggestions/ });
  await page.waitForFunction(() => document.querySelector('#tab-suggestions')?.getAttribute('aria-selected') === 'true');
  assert.equal(await page.locator('#panel-reports').isHidden(), true);
  const card = page.locator('.suggestion[data-kind=question]');
  await card.waitFor();
  assert.equal(await card.count(), 1);
  assert.equal(await card.locator('.phrasing').innerText(), 'my box never showed up');
  assert.match(await card.locator('h3').innerText(), /to the article My package says delivered but it isn.t here/);
  assert.equal(await card.locator('.file').innerText(), 'articles/en/orders/missing-package.md');
  assert.match(await card.locator('.evidence').innerText(), /^6 people · 7 searches · 7 resolved by it · confidence \d+%/);
  assert.equal(await card.locator('.rank').getAttribute('data-after'), '1');
  assert.notEqual(await card.locator('.rank').getAttribute('data-today'), '1');
  assert.match(await card.locator('.rank').innerText(), /today, #1 with it\./);
  const gap = page.locator('.suggestion[data-kind=gap]');
  assert.equal(await gap.locator('.phrasing').innerText(), 'gift card balance');
  assert.match(await gap.locator('.evidence').innerText(), /^5 people · 5 searches · none resolved/);
  const panelText = await page.locator('#panel-suggestions').innerText();
  assert.ok(!/example\.com|person\d|\[email\]/.test(panelText), 'nothing personal on the page');
  // The word customers use for the article's own, as a synonym line.
  const synonym = page.locator('.suggestion[data-kind=synonym]');
  assert.equal(await synonym.locator('h3').innerText(), 'Make “box” find what “package” finds');
  assert.equal(await synonym.locator('.file').innerText(), 'synonyms/en.txt');
  assert.equal(await synonym.locator('.examples').innerText(), 'Typed with “box”: “my box never showed up”');
  assert.equal(await synonym.getByLabel('Synonyms to add to synonyms/en.txt').inputValue(), 'box, package');
  assert.match(await synonym.locator('.rank').innerText(), /^Rank of My package says delivered but it isn.t here for “my box never showed up”: #\d+ today, #1 with it\.$/);
  assert.equal(await tab.innerText(), 'Suggestions (3)');

  mkdirSync(join(repo, 'build', 'screenshots'), { recursive: true });
  await page.locator('#tab-suggestions').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(repo, 'build', 'screenshots', 'suggestions.png'), fullPage: true });

  // Its searches, in the drill-down.
  await card.getByRole('button', { name: 'Searches' }).click();
  await page.locator('#drill [data-table=drill] tbody tr').first().waitFor();
  assert.deepEqual([...new Set(await page.locator('#drill td[data-key=query]').allInnerTexts())], ['my box never showed up']);
  // And the visits: each searched it and read the article.
  await card.getByRole('button', { name: 'Visits' }).click();
  await page.locator('#h-drill', { hasText: 'Visits that searched “my box never showed up”' }).waitFor();
  const visits = page.locator('#drill ol.visits > li');
  assert.equal(await visits.count(), 7);
  for (const text of await visits.allInnerTexts()) {
    assert.match(text, /searched “my box never showed up” \(5 results\)/);
    assert.match(text, /read missing-package/);
  }

  // Accept: one line in the file, published, first in the widget's own engine.
  await card.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('status').filter({ hasText: 'Added “my box never showed up” to articles/en/orders/missing-package.md: customers get it now. It ranks #1 for “my box never showed up”.' }).waitFor();
  assert.equal(readFileSync(articleFile(), 'utf8'), original.replace('  - my order never came\n', '  - my order never came\n  - my box never showed up\n'));
  assert.equal(await card.count(), 0, 'decided: no longer listed');
  const accepted = page.locator('#accepted li');
  assert.match(await accepted.innerText(), /^“my box never showed up” in articles\/en\/orders\/missing-package\.md, by editor@brightloop\.example on \d{4}-\d\d-\d\d/);
  let first;
  for (let i = 0; i < 40; i++) {
    first = await widgetFirst('my box never showed up');
    if (first === 'missing-package') break;
    await page.waitForTimeout(250);
  }
  assert.equal(first, 'missing-package', 'the published index, in the page, ranks the article first');

  // Revert: the file byte for byte; suggested again.
  await accepted.getByRole('button', { name: 'Revert' }).click();
  await page.getByRole('status').filter({ hasText: 'Removed “my box never showed up” from articles/en/orders/missing-package.md' }).waitFor();
  assert.equal(readFileSync(articleFile(), 'utf8'), original);
  await card.waitFor();
  assert.equal(await page.locator('#accepted').innerText(), 'No accepted change in force.');

  // An editor's own wording instead.
  await card.getByLabel(/Wording to add/).fill('box did not arrive');
  await card.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('status').filter({ hasText: 'Added “box did not arrive”' }).waitFor();
  assert.ok(readFileSync(articleFile(), 'utf8').includes('  - box did not arrive\n'));
  await accepted.getByRole('button', { name: 'Revert' }).click();
  await page.getByRole('status').filter({ hasText: 'Removed “box did not arrive”' }).waitFor();
  assert.equal(readFileSync(articleFile(), 'utf8'), original);

  // Dismiss the gap: gone, and counted as decided.
  await gap.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByRole('status').filter({ hasText: 'Dismissed “gift card balance”' }).waitFor();
  assert.equal(await gap.count(), 0);
  assert.match(await page.locator('#suggestions-status').innerText(), /1 decided already/);

  // Accept the synonym: one line at the end of synonyms/en.txt; revert it.
  const synonymsFile = join(content, 'synonyms/en.txt');
  const synonymsBefore = readFileSync(synonymsFile, 'utf8');
  await synonym.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('status').filter({ hasText: 'Added “box, package” to synonyms/en.txt: customers get it now. It ranks #1 for “my box never showed up”.' }).waitFor();
  assert.equal(readFileSync(synonymsFile, 'utf8'), `${synonymsBefore}box, package\n`);
  assert.equal(await card.count(), 0, 'with the synonym the article is first for the question\'s wording: nothing to add');
  await accepted.getByRole('button', { name: 'Revert' }).click();
  await page.getByRole('status').filter({ hasText: 'Removed “box, package” from synonyms/en.txt' }).waitFor();
  assert.equal(readFileSync(synonymsFile, 'utf8'), synonymsBefore);

  // The tabs by keyboard: back to the reports.
  await tab.focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#panel-reports').isVisible(), true);
  assert.equal(await page.locator('#panel-suggestions').isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-reports');
  assert.deepEqual(errors, []);
  await context.close();
});
