// A chat WebSocket for tests: messages queue up and are read in order with
// next(type), which fails after a timeout naming what did arrive.
import WebSocket from 'ws';

export function chatSocket(origin, path, headers = {}) {
  const ws = new WebSocket(origin.replace('http', 'ws') + path, { headers });
  const inbox = [];
  const waiters = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m); else inbox.push(m);
  });
  const opened = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return {
    ws, opened, inbox,
    send: (m) => ws.send(JSON.stringify(m)),
    next(type, timeout = 5000) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const w = { type, resolve };
        waiters.push(w);
        setTimeout(() => { const k = waiters.indexOf(w); if (k >= 0) { waiters.splice(k, 1); reject(new Error(`no '${type}' message; inbox: ${JSON.stringify(inbox)}`)); } }, timeout);
      });
    },
    // The next message of `type` that `match` accepts (those before it are dropped).
    async until(type, match, timeout = 5000) {
      for (;;) {
        const m = await this.next(type, timeout);
        if (match(m)) return m;
      }
    },
    closed: new Promise((resolve) => ws.once('close', resolve)),
    close: () => ws.close(),
  };
}
