// Crash safety: the hub runs as a child process (the real CLI on a SQLite file)
// and is SIGKILLed at random moments right after acks arrive, often with more
// appends in flight. After each restart on the same file, every acknowledged
// append must be there at its offset, and the document must be exactly the data
// that was sent, cut after a whole append: nothing acked lost, nothing torn.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Message } from '../protocols/zwibbler/codec';
import { killAllHubs, spawnHub } from './child-hub';
import { tempDir } from './hub-fixture';
import { ZwibblerClient } from './zwibbler-client';
import { prng } from './random';

const CYCLES = 20;

const clients = new Set<ZwibblerClient>();
const dir = tempDir('lanboard-crash-');

after(async () => {
  for (const c of clients) await c.close();
  await killAllHubs();
  dir.remove();
});

const startHub = (dbFile: string) => spawnHub(['--db', dbFile, '--data-dir', dir.dir]);

interface Piece {
  offset: number;
  data: Buffer;
}

test(
  `every acknowledged append survives ${CYCLES} SIGKILLs of the hub`,
  { timeout: 180_000 },
  async (t) => {
    const seed = Number(process.env.LANBOARD_TEST_SEED ?? Date.now() % 2 ** 31);
    t.diagnostic(`seed ${seed}`);
    const random = prng(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const randomData = (): Buffer => {
      // Mostly small appends, sometimes one larger than a 100 KiB chunk.
      const size = random() < 0.1 ? int(100_000, 250_000) : int(1, 3000);
      const out = Buffer.allocUnsafe(size);
      for (let i = 0; i < size; i++) out[i] = Math.floor(random() * 256);
      return out;
    };

    const dbFile = path.join(dir.dir, 'crash.db');
    const docId = 'crash-doc';
    const acked: Piece[] = [];
    /** The document as read back at the start of the previous cycle. */
    let previous = Buffer.alloc(0);
    /** Appends sent in the previous cycle, in order, and how many of them were acked. */
    let sentLastCycle: Piece[] = [];
    let ackedLastCycle = 0;
    let totalAcks = 0;
    let totalInFlightAtKill = 0;
    /** In-flight appends that had committed although their ack never arrived. */
    let committedUnacked = 0;

    /** Reads the document back through a fresh client and checks it. */
    const verify = (doc: Buffer, cycle: number) => {
      const where = `cycle ${cycle}, seed ${seed}`;
      for (const p of acked) {
        assert.ok(
          doc.length >= p.offset + p.data.length &&
            doc.subarray(p.offset, p.offset + p.data.length).equals(p.data),
          `acked append at ${p.offset} (+${p.data.length}) is missing or different (${where}); document length ${doc.length}`,
        );
      }
      // The document is the previous one plus a whole-append prefix of what was sent.
      let end = previous.length;
      const ends = [end];
      for (const p of sentLastCycle) ends.push((end += p.data.length));
      const m = ends.indexOf(doc.length);
      assert.ok(
        m >= ackedLastCycle,
        `length ${doc.length} is not previous + ${ackedLastCycle}..${sentLastCycle.length} whole appends (${where})`,
      );
      const expected = Buffer.concat([previous, ...sentLastCycle.slice(0, m).map((p) => p.data)]);
      assert.ok(doc.equals(expected), `document bytes differ from what was sent (${where})`);
      committedUnacked += m - ackedLastCycle;
    };

    const readBack = async (url: string, cycle: number): Promise<ZwibblerClient> => {
      const c = await ZwibblerClient.join(url, { docId, creationMode: cycle === 0 ? 2 : 1 });
      clients.add(c);
      const first = c.messages[0] as Message;
      assert.equal(
        first.type,
        'append',
        `initial load in cycle ${cycle}: ${JSON.stringify(first)}`,
      );
      const load = first as Extract<Message, { type: 'append' }>;
      assert.equal(load.offset, 0);
      const doc = Buffer.from(load.data);
      verify(doc, cycle);
      previous = doc;
      return c;
    };

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const hub = await startHub(dbFile);
      const client = await readBack(`ws://127.0.0.1:${hub.port}/socket`, cycle);

      // Write until `target` acks have arrived, keeping up to `window` appends in flight.
      const target = int(1, 15);
      const window = int(1, 6);
      const sent: Piece[] = [];
      let next = previous.length;
      let acks = 0;
      let seen = 1; // messages[0] is the initial load
      const send = () => {
        const data = randomData();
        sent.push({ offset: next, data });
        client.append(next, data);
        next += data.length;
      };
      const killed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${acks}/${target} acks within 20 s (cycle ${cycle})`)),
          20_000,
        );
        const onMessage = () => {
          for (; seen < client.messages.length; seen++) {
            const m = client.messages[seen]!;
            const piece = sent[acks];
            if (m.type !== 'ack-nack' || !piece) {
              clearTimeout(timer);
              hub.child.kill('SIGKILL');
              reject(new Error(`unexpected message in cycle ${cycle}: ${JSON.stringify(m)}`));
              return;
            }
            const want = piece.offset + piece.data.length;
            if (m.status !== 1 || m.length !== want) {
              clearTimeout(timer);
              hub.child.kill('SIGKILL');
              reject(new Error(`expected ACK ${want}, got ${JSON.stringify(m)} (cycle ${cycle})`));
              return;
            }
            acked.push(piece);
            acks++;
            if (acks === target) {
              // Right after the ack, before anything else can happen.
              hub.child.kill('SIGKILL');
              clearTimeout(timer);
              client.ws.off('message', onMessage);
              resolve();
              return;
            }
            if (random() < 0.8) send();
          }
          while (sent.length - acks < 1) send();
        };
        // Registered after the client's own listener, so messages are decoded by now.
        client.ws.on('message', onMessage);
        for (let i = 0; i < window; i++) send();
      });
      await killed;
      await hub.exited;
      assert.equal(hub.child.signalCode, 'SIGKILL', `the hub died of the kill: ${hub.stderr()}`);
      await client.closed;
      clients.delete(client);
      totalAcks += acks;
      totalInFlightAtKill += sent.length - acks;
      sentLastCycle = sent;
      ackedLastCycle = acks;
    }

    // One last start: everything acked in the last cycle is there too.
    const hub = await startHub(dbFile);
    const last = await readBack(`ws://127.0.0.1:${hub.port}/socket`, CYCLES);
    await last.close();
    clients.delete(last);
    hub.child.kill('SIGKILL');
    await hub.exited;

    t.diagnostic(
      `${totalAcks} acked appends, ${totalInFlightAtKill} in flight at the kills ` +
        `(${committedUnacked} of them committed), final length ${previous.length}`,
    );
    assert.equal(acked.length, totalAcks);
    assert.ok(totalAcks >= CYCLES);
  },
);
