// Visits that teach search learning something, as the widget would send
// them to POST /api/v1/events (within the last hour): 6 people (7 visits)
// typed "my box never showed up" and read missing-package (a question to
// suggest); 3 typed "my package never showed up" and read it too (the
// article's own word: with "box", a synonym to suggest); 4 typed "my crate
// never showed up" (under k = 5); 5 searched
// "gift card balance" and found nothing (a gap); 7 typed their address
// into "reset password for ..." (personal: never suggested).
export function learningEvents(prefix = 'learning') {
  const events = [];
  let n = 0;
  const at = Date.now() - 3600000;
  const visit = (visitor, query, read, results = 5) => {
    const id = `${prefix}-visit-${n++}`;
    events.push({ id: `${id}-s`, visit: id, visitor, at: at + n * 1000, seq: 0, locale: 'en', type: 'search', query, results, search_id: 's1' });
    if (read) events.push({ id: `${id}-r`, visit: id, visitor, at: at + n * 1000 + 1, seq: 1, locale: 'en', type: 'article_view', target: read });
  };
  for (let v = 0; v < 6; v++) visit(`box-${v}`, 'my box never showed up', 'missing-package');
  visit('box-0', 'my box never showed up', 'missing-package');  // the same visitor again: still 6 people
  for (let v = 0; v < 3; v++) visit(`package-${v}`, 'my package never showed up', 'missing-package');
  for (let v = 0; v < 4; v++) visit(`few-${v}`, 'my crate never showed up', 'missing-package');  // 4 people: under k
  for (let v = 0; v < 5; v++) visit(`gift-${v}`, 'gift card balance', null, 0);
  for (let v = 0; v < 7; v++) visit(`mail-${v}`, `reset password for person${v}@example.com`, 'reset-password');
  return events;
}

// Posts them to a running server.
export async function postLearningEvents(origin, prefix) {
  const r = await fetch(`${origin}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ events: learningEvents(prefix) }) });
  if (r.status !== 200) throw new Error(`events refused: ${r.status} ${await r.text()}`);
}
