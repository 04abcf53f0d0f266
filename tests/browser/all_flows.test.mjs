// Every sample flow completes inside the widget, in Debian's Chromium,
// against a real `firstfix serve` (password reset and reschedule have their
// own, deeper tests in flows.test.mjs). Each script answers the steps the
// way a customer would: by label, radio and button; the back office is
// checked afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { photo } from '../support/photos.mjs';
import { launch, hostPage } from '../support/browser.mjs';
import { flowClient } from '../support/flow_client.mjs';

let server, browser, api;
before(async () => { [server, browser] = await Promise.all([startServer(), launch()]); api = flowClient(server); });
after(async () => { await browser?.close(); await server?.stop(); });

const widget = (p) => p.locator('firstfix-widget');
const headingIs = (p, text) => p.waitForFunction(
  (t) => document.querySelector('firstfix-widget')?.shadowRoot?.querySelector('.flow h1')?.textContent === t, text, { timeout: 15000 });

// Steps: [expected heading, {label: value}, {radio}, button] ... ending with the done heading.
const scripts = [
  { flow: 'order-tracking', page: '/orders/BL-10422', steps: [
    ['Which order?', { 'Order number': 'BL-10422', 'Email used for the order': 'ana@example.com' }, null, 'Continue']],
    done: 'On its way', says: /PN4488310/ },
  { flow: 'return-request', steps: [
    ['Which order?', { 'Order number': 'BL-10421', 'Email used for the order': 'ana@example.com' }, null, 'Continue'],
    ["What's wrong with it?", { 'Anything we should know? (optional)': 'It reboots every hour' }, "It's faulty", 'Continue',
      { 'Photo of the problem (optional)': { name: 'fault.png', mimeType: 'image/png', buffer: photo('photo.png') } }],
    ['Return for a refund?', {}, null, 'Yes, return it']],
    done: 'Return started', says: /RMA-10421/,
    check: () => assert.match(JSON.stringify(api.backOffice("SELECT resolution, photo FROM returns WHERE order_id = 'BL-10421'")),
      /"resolution":"refund","photo":"up_[0-9a-f]{24}"/) },
  { flow: 'billing-update', steps: [
    ["Let's check it's you", { 'Email address': 'ben@example.com' }, null, 'Continue'],
    ['Check your email', { '6-digit code': 'code:ben@example.com' }, null, 'Continue'],
    ['What would you like to update?', {}, 'Payment card', 'Continue'],
    ['New payment card', { 'Name on the card': 'Ben Okafor', 'Card number': '5555 5555 5555 4444', 'Expiry date': '11/31' }, null, 'Continue']],
    done: 'Payment card updated', says: /Mastercard ending in 4444/,
    check: () => assert.deepEqual(api.backOffice("SELECT last4 FROM payment_methods WHERE customer_id = 'C-1002'"), [{ last4: '4444' }]) },
  { flow: 'plus-cancellation', steps: [
    ["Let's check it's you", { 'Email address': 'ana@example.com' }, null, 'Continue'],
    ['Check your email', { '6-digit code': 'code:ana@example.com' }, null, 'Continue'],
    ['Before you go', {}, "I'm moving or travelling", 'Continue'],
    ['Pause instead?', {}, null, 'Pause my plan'],
    ['How long?', {}, '3', 'Continue']],
    done: 'Plan paused', says: /paused until/,
    check: () => assert.equal(api.backOffice("SELECT status FROM subscriptions WHERE id = 'SUB-3001'")[0].status, 'paused') },
  { flow: 'delivery-address-change', steps: [
    ['Which order?', { 'Order number': 'BL-10423', 'Email used for the order': 'ben@example.com' }, null, 'Continue'],
    ['Where should it go?', { 'Street and number': '22 Park Row', 'Town or city': 'Leeds', Postcode: 'LS1 5HD' }, null, 'Continue'],
    ['Confirm the new address', {}, null, 'Yes, deliver there']],
    done: 'Address changed', says: /22 Park Row/,
    check: () => assert.deepEqual(api.backOffice("SELECT ship_line1 FROM orders WHERE id = 'BL-10423'"), [{ ship_line1: '22 Park Row' }]) },
  { flow: 'overcharge-refund', steps: [
    ['Which order?', { 'Order number': 'BL-10421', 'Email used for the order': 'ana@example.com' }, null, 'Continue'],
    ['Refund €25?', {}, null, 'Yes, refund it']],
    done: 'Refund on its way', says: /CR-10421 of €25/,
    check: () => assert.deepEqual(api.backOffice("SELECT cents FROM credits WHERE order_id = 'BL-10421'"), [{ cents: 2500 }]) },
  { flow: 'seguimiento-de-pedido', locale: 'es', steps: [
    ['¿Qué pedido?', { 'Número de pedido': 'BL-10425', 'Correo del pedido': 'carmen@example.com' }, null, 'Continuar']],
    done: 'En camino', says: /CX20019554ES/ },
  { flow: 'cambio-de-contrasena', locale: 'es', steps: [
    ['Comprobemos que eres tú', { 'Correo electrónico': 'carmen@example.com' }, null, 'Continuar'],
    ['Revisa tu correo', { 'Código de 6 cifras': 'code:carmen@example.com' }, null, 'Continuar'],
    ['Elige una contraseña nueva', { 'Contraseña nueva': 'otra frase bastante larga' }, null, 'Continuar']],
    done: 'Contraseña cambiada', says: /carmen@example\.com/ },
];

for (const script of scripts) {
  test(`${script.flow} completes in the widget`, async () => {
    const context = await browser.newContext();
    const lang = script.locale || 'en';
    const p = await hostPage(context, server.origin, script.page || `/host/${script.flow}`,
      `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title></head><body><main><h1>Shop</h1></main>` +
      '<script src="/widget.js" async></script></body></html>');
    if (script.page) {
      // Started from the page suggestions, where the page's flows come before its articles.
      await widget(p).locator('.launcher').click();
      const suggestions = widget(p).locator('ul.for-page a');
      await suggestions.first().waitFor();
      const kinds = await suggestions.evaluateAll((as) => as.map((a) => a.dataset.kind));
      assert.ok(kinds.indexOf('article') > kinds.lastIndexOf('flow'), kinds.join());
      await widget(p).locator(`ul.results a[data-kind=flow][data-id=${script.flow}]`).click();
    } else {
      await p.waitForFunction(() => window.firstfix && window.firstfix.loaded);
      await p.evaluate((id) => window.firstfix('startFlow', id), script.flow);
    }
    for (const [heading, fills, radio, button, files = {}] of script.steps) {
      await headingIs(p, heading);
      for (const [label, value] of Object.entries(fills)) {
        const v = value.startsWith('code:') ? api.latestCode(value.slice(5)) : value;
        await widget(p).getByLabel(label, { exact: true }).fill(v);
      }
      if (radio) await widget(p).getByRole('radio', { name: radio, exact: true }).check();
      for (const [label, file] of Object.entries(files)) {
        await widget(p).getByLabel(label, { exact: true }).setInputFiles(file);
        await widget(p).getByText(`Photo attached: ${file.name}`).waitFor();
      }
      await widget(p).getByRole('button', { name: button, exact: true }).click();
    }
    await headingIs(p, script.done);
    assert.match(await widget(p).locator('.flow .content').innerText(), script.says);
    script.check?.();
    await context.close();
  });
}

test('plan-change runs logged in on the demo account page: the page signs its customer, no email code', async () => {
  const codes = () => api.backOffice("SELECT count(*) AS n FROM outbox WHERE to_addr = 'ana@example.com' AND subject LIKE '%verification code%'")[0].n;
  const codesBefore = codes();
  const context = await browser.newContext();
  const p = await context.newPage();
  const signed = p.waitForResponse((r) => r.url().endsWith('/demo/identity') && r.status() === 200);
  await p.goto(`${server.origin}/demo/account`);
  await signed;
  await p.waitForFunction(() => window.firstfix && window.firstfix.loaded);
  await p.evaluate(() => window.firstfix('on', 'flowStart', (e) => { window.__started = e; }));
  await p.getByRole('button', { name: 'Switch between monthly and annual Plus' }).click();
  await headingIs(p, 'Which plan would you like?');
  assert.equal((await p.evaluate(() => window.__started)).identity, 'verified', 'the reports hear that a signed-in customer started it');
  assert.match(await widget(p).locator('.flow .content').innerText(), /You're on Brightloop Plus monthly/);
  await widget(p).getByRole('radio', { name: 'annual', exact: true }).check();
  await widget(p).getByRole('button', { name: 'Continue', exact: true }).click();
  await headingIs(p, 'Switch to annual?');
  await widget(p).getByRole('button', { name: 'Yes, switch', exact: true }).click();
  await headingIs(p, 'Plan changed');
  assert.deepEqual(api.backOffice("SELECT plan FROM subscriptions WHERE id = 'SUB-3001'"), [{ plan: 'Brightloop Plus annual' }]);
  assert.equal(codes(), codesBefore, 'no one-time code was needed');
  // Anyone else is told to sign in, and may still ask for a person.
  const anonymous = await hostPage(context, server.origin, '/host/plan-change',
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><script src="/widget.js" async></script></body></html>');
  await anonymous.waitForFunction(() => window.firstfix && window.firstfix.loaded);
  await anonymous.evaluate(() => window.firstfix('startFlow', 'plan-change'));
  await widget(anonymous).getByText(/for customers signed in on the site/).waitFor();
  await context.close();
});
