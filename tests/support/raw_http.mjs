// HTTP/1.1 and WebSocket frames written byte by byte on a raw socket, for
// requests no well-behaved client would send (fetch and ws refuse to send
// most of them). Each request is sent with `Connection: close` and the
// answer is read until the server closes or the body is complete.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

// Parses one HTTP/1.1 answer; undefined until it is complete.
function parseAnswer(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? NaN);
  const body = buffer.subarray(end + 4);
  if (Number.isFinite(length) && body.length < length) return undefined;
  return { status, headers, body: body.subarray(0, Number.isFinite(length) ? length : body.length).toString('utf8') };
}

// Sends `request` (a Buffer, or parts joined as latin1 strings and Buffers)
// and resolves with {status, headers, body}, or {status: 0} when the server
// closed without answering. `waitMs`: give up (and resolve {status: -1}).
export function rawRequest(origin, request, { waitMs = 10000 } = {}) {
  const { hostname, port } = new URL(origin);
  const bytes = Array.isArray(request)
    ? Buffer.concat(request.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1'))))
    : request;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ status: -1, headers: {}, body: '' }), waitMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      const answer = parseAnswer(received);
      // A 101 (an accepted WebSocket) has no length: the socket stays open.
      if (answer && (answer.headers['content-length'] !== undefined || answer.status === 101)) finish(answer);
    });
    socket.on('end', () => finish(parseAnswer(received) ?? { status: 0, headers: {}, body: received.toString('latin1') }));
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? finish(parseAnswer(received) ?? { status: 0, headers: {}, body: '' }) : reject(e)));
  });
}

// One client-to-server WebSocket frame (masked, as RFC 6455 requires).
export function wsFrame(payload, { opcode = 1 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const mask = randomBytes(4);
  let header;
  if (data.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | data.length]);
  else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode; header[1] = 0x80 | 126; header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode; header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; ++i) masked[i] ^= mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

// A WebSocket opened by hand that never reads what the server sends: the
// slowest reader there can be. Resolves once the handshake's answer came.
export function silentWebSocket(origin, path, headers = {}) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`));
    let head = Buffer.alloc(0);
    const onData = (d) => {
      head = Buffer.concat([head, d]);
      if (head.indexOf('\r\n\r\n') < 0) return;
      socket.off('data', onData);
      if (!head.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.toString('latin1')}`));
      socket.pause();  // from here on nothing is read: the kernel's buffers fill, then the server's outbox
      resolve({ socket, send: (text) => socket.write(wsFrame(text)), close: () => socket.destroy() });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

// The server's resident memory in bytes (Linux).
export async function residentBytes(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}
