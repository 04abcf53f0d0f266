// Customer to agent, end to end, in two browser contexts against a real
// `firstfix serve`: the agent logs in to the console; the customer fails
// twice in a flow, is offered a person, accepts; the agent sees the full
// trail, accepts, replies; the customer sees the reply, and after a reload
// the conversation comes back with nothing missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { jpegWithExif } from '../support/photos.mjs';

let server, browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launch()]); });
after(async () => { await browser?.close(); await server?.stop(); });

const widget = (p) => p.locator('firstfix-widget');

// An agent logged in to the console in a browser context of its own.
async function agentConsole() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.origin + '/agent');
  await page.getByLabel('Email').fill('agent@brightloop.example');
  await page.getByLabel('Password').fill('brightloop-agent');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('status').filter({ hasText: 'Online' }).waitFor();
  return { context, page };
}

test('a customer who failed twice chats with an agent who sees everything they tried', async () => {
  const { context: agentContext, page: agent } = await agentConsole();
  await agent.getByText('Sam (demo agent)').waitFor();

  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await customer.goto(server.origin + '/');
  await widget(customer).locator('.launcher').click();
  await widget(customer).getByRole('searchbox').pressSequentially('where is my order', { delay: 10 });
  await customer.waitForTimeout(1500);  // the search settles into the trail
  await customer.evaluate(() => window.firstfix('startFlow', 'order-tracking'));
  for (const order of ['BL-90001', 'BL-90002']) {
    await widget(customer).getByLabel('Order number').fill(order);
    await widget(customer).getByLabel('Email used for the order').fill('ana@example.com');
    await widget(customer).getByRole('button', { name: 'Continue' }).click();
    await widget(customer).locator('.notice').waitFor();
  }
  const offer = widget(customer).locator('.offer');
  await offer.waitFor();
  await offer.getByRole('button', { name: 'Talk to a person' }).click();
  await widget(customer).getByText(/You're number 1 in line/).waitFor();
  await widget(customer).getByLabel('Write a message').fill('My order number must be wrong, can you find it?');
  await widget(customer).getByRole('button', { name: 'Send' }).click();

  // The agent: the conversation is waiting, with the trail.
  const item = agent.locator('#queue .item').first();
  await item.waitFor();
  await item.click();
  const context = agent.locator('#context');
  await context.getByText('Searched “where is my order”').waitFor();
  const text = await context.innerText();
  assert.match(text, /Flow “Track an order”/);
  assert.match(text, /Failed: We couldn't find that order number/);
  assert.match(text, /order_id: BL-90002/);
  assert.match(text, /failures; 2 self-service failures/);
  await agent.getByRole('button', { name: 'Accept' }).click();
  await widget(customer).getByText(/You're chatting with Sam \(demo agent\)/).waitFor();
  await agent.locator('#messages').getByText('My order number must be wrong, can you find it?').waitFor();
  await agent.getByLabel('Reply').fill('Hi Ana! Your order is BL-10422; it arrives on Thursday.');
  await agent.getByRole('button', { name: 'Send' }).click();
  await widget(customer).getByText('Hi Ana! Your order is BL-10422; it arrives on Thursday.').waitFor();

  // A reload: the chat comes back, each message once.
  await customer.reload();
  await widget(customer).getByText('Hi Ana! Your order is BL-10422; it arrives on Thursday.').waitFor({ timeout: 15000 });
  assert.equal(await widget(customer).getByText('My order number must be wrong, can you find it?').count(), 1);

  // Close with a disposition: the customer is told.
  await agent.getByLabel('Reason code').fill('order-lookup');
  await agent.getByRole('button', { name: 'Close conversation' }).click();
  await widget(customer).getByText('This conversation has ended.').waitFor();
  await agentContext.close();
  await customerContext.close();
});

test('on a phone the customer shows the problem with the camera; the agent sees the photo, without its metadata', async () => {
  const { context: agentContext, page: agent } = await agentConsole();

  const phone = await browser.newContext({ isMobile: true, hasTouch: true, viewport: { width: 390, height: 800 } });
  const customer = await phone.newPage();
  await customer.goto(server.origin + '/');
  await widget(customer).locator('.launcher').click();
  await widget(customer).getByRole('button', { name: 'Talk to a person' }).click();
  await widget(customer).getByText(/You're number \d+ in line/).waitFor();
  const camera = widget(customer).getByRole('button', { name: 'Take a photo' });
  await camera.waitFor();
  assert.equal(await widget(customer).locator('input[type=file][capture=environment]').count(), 1, 'the camera opens directly');
  const [chooser] = await Promise.all([customer.waitForEvent('filechooser'), camera.click()]);
  await chooser.setFiles({ name: 'broken-lamp.jpg', mimeType: 'image/jpeg', buffer: jpegWithExif('Ana Lopez, 12 Elm Street') });
  const mine = widget(customer).locator('.chat-log .msg.customer:not(.pending) img');
  await mine.waitFor();
  await customer.waitForFunction(() => document.querySelector('firstfix-widget').shadowRoot
    .querySelector('.chat-log .msg.customer:not(.pending) img')?.naturalHeight === 64);  // upright: 48 x 64

  // The agent opens the conversation (the newest in the queue) and sees the picture.
  const item = agent.locator('#queue .item').last();
  await item.waitFor();
  await item.click();
  const picture = agent.locator('#messages .photo img');
  await picture.waitFor();
  await agent.waitForFunction(() => document.querySelector('#messages .photo img')?.naturalWidth === 48);  // upright, as taken
  const src = await picture.getAttribute('src');
  const bytes = Buffer.from(await agent.evaluate(async (u) => [...new Uint8Array(await (await fetch(u)).arrayBuffer())], src));
  assert.ok(bytes.length > 500 && !bytes.includes('Elm Street'), 'the agent gets the photo without the Exif artist');

  // Not a photo: refused with a reason the customer can act on.
  const [again] = await Promise.all([customer.waitForEvent('filechooser'), widget(customer).getByRole('button', { name: 'Add a photo' }).click()]);
  await again.setFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
  await widget(customer).getByRole('alert').filter({ hasText: 'Choose a JPEG, PNG or WebP photo.' }).waitFor();
  await agentContext.close();
  await phone.close();
});

test('a long conversation comes back whole, a page at a time, to the customer after a reload and to the agent', async () => {
  const customerContext = await browser.newContext();
  const customer = await customerContext.newPage();
  await customer.goto(server.origin + '/');
  await widget(customer).locator('.launcher').click();
  await widget(customer).locator('button.person').click();
  await widget(customer).getByLabel('Write a message').fill('first words');
  await widget(customer).getByRole('button', { name: 'Send' }).click();
  await widget(customer).getByText('first words').waitFor();
  const { conversation, key } = await customer.evaluate(() => JSON.parse(sessionStorage.getItem('firstfix.chat')));
  // 249 more messages from another socket of the same customer: the conversation holds 250, the server pages 100 at a time.
  const ws = new WebSocket(server.origin.replace('http', 'ws') + '/api/v1/chat/ws');
  await new Promise((r) => ws.once('open', r));
  let last = 0;
  ws.on('message', (d) => { const m = JSON.parse(d); if (m.type === 'message') last = Math.max(last, m.message.seq); });
  ws.send(JSON.stringify({ type: 'hello', conversation, key, after: 0 }));
  for (let i = 2; i <= 250; ++i) ws.send(JSON.stringify({ type: 'send', client_id: `bulk-${i}`, body: `message number ${i}` }));
  while (last < 250) await new Promise((r) => setTimeout(r, 20));
  ws.close();

  await customer.reload();
  await widget(customer).getByText('message number 250', { exact: true }).waitFor({ timeout: 15000 });
  const shown = await widget(customer).locator('li.msg').allInnerTexts();
  for (const n of [2, 100, 101, 200, 201, 250]) assert.ok(shown.some((t) => t.includes(`message number ${n}`)), `message ${n} shown after the reload`);
  assert.equal(shown.filter((t) => t.includes('message number 150')).length, 1, 'each message once');

  const { context: agentContext, page: agent } = await agentConsole();
  await agent.locator(`.item[data-id="${conversation}"]`).click();  // a ticket: nobody was online when it opened
  await agent.locator('#messages').getByText('message number 250', { exact: true }).waitFor({ timeout: 15000 });
  const seen = (await agent.locator('#messages li').allInnerTexts()).map((t) => /message number (\d+)$/m.exec(t)?.[1]).filter(Boolean);
  assert.deepEqual(seen, Array.from({ length: 249 }, (_, i) => String(i + 2)), 'the agent sees every message, in order, each once');
  await agentContext.close();
  await customerContext.close();
});
