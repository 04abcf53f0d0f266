// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from 'playwright-core';

// CHROMIUM_ARGS: more switches, '|'-separated, for a measurement (e.g.
// --js-flags=--no-wasm-lazy-compilation --no-wasm-dynamic-tiering).
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...(process.env.CHROMIUM_ARGS || '').split('|').filter(Boolean)],  // playwright gives each launch a fresh profile
    headless: true,
  });
}

// Serves `html` at `origin + path` through the browser itself, so a test can
// stand up any host page (hostile CSS, a CSP) on the widget's own origin.
export async function hostPage(context, origin, path, html, headers = {}) {
  await context.route(origin + path, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers, body: html }));
  const page = await context.newPage();
  await page.goto(origin + path);
  return page;
}

// Waits until the in-page engine (the Worker) has answered `query`, asking
// again while it has not: a search made before the Worker is ready goes to the
// server, and on a loaded machine the Worker may start after the typing ends.
// `log` names the window array the test's 'search' listener fills.
export async function untilInPage(page, query, { log = '__searches', timeout = 30000 } = {}) {
  await page.waitForFunction(([q, log]) => {
    const answered = () => window[log].some((s) => s.engine === 'wasm' && s.query === q);
    if (!answered()) window.firstfix('search', q);
    return answered();
  }, [query, log], { polling: 250, timeout });
}
