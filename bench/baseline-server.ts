// The benchmark's baseline: a minimal in-memory Zwibbler server on plain `ws`,
// as a proxy for the physical limit of Node + ws on the same scenario. It
// accepts INIT (V2 or V3) and sends the document, then acks each append at the
// document's end (NACK otherwise: the protocol's one rule, so that conflicts
// behave the same) and fans it out to the other clients. No storage, no
// validation, no keys, no chunking, no logging.
// Usage: node --import tsx bench/baseline-server.ts [port]   (binds 127.0.0.1)
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

interface Client {
  ws: WebSocket;
  v2: boolean;
}
interface Doc {
  parts: Buffer[];
  length: number;
  clients: Set<Client>;
}
const docs = new Map<string, Doc>();

function append(v2: boolean, offset: number, data: Uint8Array): Buffer {
  const at = v2 ? 10 : 14;
  const m = Buffer.alloc(at + data.length);
  m[0] = v2 ? 0x02 : 0x05;
  m.writeUInt32BE(Math.floor(offset / 2 ** 32), at - 8);
  m.writeUInt32BE(offset % 2 ** 32, at - 4);
  m.set(data, at);
  return m;
}

function ack(status: number, length: number): Buffer {
  const m = Buffer.alloc(12);
  m[0] = 0x81;
  m.writeUInt16BE(status, 2);
  m.writeUInt32BE(Math.floor(length / 2 ** 32), 4);
  m.writeUInt32BE(length % 2 ** 32, 8);
  return m;
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  perMessageDeflate: false,
});
wss.on('connection', (ws) => {
  let me: Client | undefined;
  let doc: Doc | undefined;
  ws.on('message', (m: Buffer) => {
    if (!doc || !me) {
      // Bytes 2-3 = 00 02 is the V2 layout (docs/protocols/zwibbler.md#telling-v2-from-v3).
      const v2 = m[3] === 2;
      const at = v2 ? 18 : 25;
      const id = m.toString('latin1', at, at + (v2 ? m[17]! : m.readUInt32BE(21)));
      doc = docs.get(id) ?? { parts: [], length: 0, clients: new Set() };
      docs.set(id, doc);
      if (doc.parts.length > 1) doc.parts = [Buffer.concat(doc.parts)];
      me = { ws, v2 };
      ws.send(append(v2, 0, doc.parts[0] ?? Buffer.alloc(0)));
      doc.clients.add(me);
      return;
    }
    if (m[0] !== 0x02 && m[0] !== 0x05) return;
    const at = m[0] === 0x02 ? 10 : 14;
    const offset = m.readUInt32BE(at - 8) * 2 ** 32 + m.readUInt32BE(at - 4);
    if (offset !== doc.length) return ws.send(ack(0, doc.length));
    const data = Buffer.from(m.subarray(at));
    doc.parts.push(data);
    doc.length += data.length;
    ws.send(ack(1, doc.length));
    let v2: Buffer | undefined;
    let v3: Buffer | undefined;
    for (const c of doc.clients) {
      if (c === me) continue;
      c.ws.send(c.v2 ? (v2 ??= append(true, offset, data)) : (v3 ??= append(false, offset, data)));
    }
  });
  ws.on('close', () => me && doc?.clients.delete(me));
  ws.on('error', () => {});
});
wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
