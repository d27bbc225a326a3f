// Crash safety on a database server several hubs may share (PostgreSQL,
// MariaDB): a child hub (the real CLI, the server flushing every commit) takes
// appends from three real Zwibbler clients writing at once, one document,
// while an observer records every append it is sent; the hub is SIGKILLed at a
// random moment. After each restart a fresh client reads the document back:
// every acknowledged append, and every append the observer was sent, is there
// at its offset (0 lost), and the document is whole (no gaps: an append was
// stored all or nothing).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '../protocols/zwibbler/codec';
import { killAllHubs, spawnHub } from './child-hub';
import type { ChildHub } from './child-hub';
import { prng } from './random';
import { ZwibblerClient } from './zwibbler-client';
import { ZwibblerWriter } from './zwibbler-writer';

const CYCLES = Number(process.env.LANBOARD_CRASH_CYCLES ?? 8);
const WRITERS = 3;

/** A durable server for the test, and how a hub's config reaches it. */
export interface CrashServer {
  settings: {
    Database: string;
    DbServer: string;
    DbUser: string;
    DbPassword: string;
    DbName: string;
  };
  stop(): Promise<void>;
}

/** The suite for one server: `name` as users call it, `skip` why it cannot run here. */
export function describeAppendsUnderKill(
  name: string,
  skip: string | undefined,
  startServer: () => Promise<CrashServer>,
): void {
  const DOC = `crash-on-${name.toLowerCase()}`;
  describe(`${name} under kill -9`, { skip }, () => {
    let server: CrashServer;
    const closers: (() => unknown)[] = [];
    before(async () => {
      server = await startServer();
    });
    after(async () => {
      for (const close of closers) await close();
      await killAllHubs();
      await server?.stop();
    });

    const startHub = (): Promise<ChildHub> => {
      const s = server.settings;
      return spawnHub([], {
        LANBOARD_DATABASE: s.Database,
        LANBOARD_DB_SERVER: s.DbServer,
        LANBOARD_DB_USER: s.DbUser,
        LANBOARD_DB_PASSWORD: s.DbPassword,
        LANBOARD_DB_NAME: s.DbName,
      });
    };

    /** The whole document as a fresh client loads it. */
    const readBack = async (hub: ChildHub): Promise<Buffer> => {
      const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: DOC });
      closers.push(() => c.close());
      const first = c.messages[0] as Message;
      assert.equal(first.type, 'append', `initial load: ${JSON.stringify(first)}`);
      const load = first as Extract<Message, { type: 'append' }>;
      assert.equal(load.offset, 0);
      await c.close();
      return Buffer.from(load.data);
    };

    test(
      `no acknowledged or visible append is lost over ${CYCLES} SIGKILLs of the hub`,
      { timeout: 300_000 },
      async (t) => {
        const seed = Number(process.env.LANBOARD_TEST_SEED ?? Date.now() % 2 ** 31);
        t.diagnostic(`seed ${seed}`);
        const random = prng(seed);
        const acked: { offset: number; data: Buffer }[] = [];
        const seen: { offset: number; data: Buffer }[] = [];
        let expectedEnd = 0;

        for (let cycle = 0; cycle <= CYCLES; cycle++) {
          const hub = await startHub();
          const url = `${hub.wsUrl}/socket`;
          const doc = await readBack(hub);
          const where = `cycle ${cycle}, seed ${seed}`;
          assert.ok(doc.length >= expectedEnd, `the document shrank to ${doc.length} (${where})`);
          for (const p of [...acked, ...seen]) {
            assert.ok(
              doc.subarray(p.offset, p.offset + p.data.length).equals(p.data),
              `append at ${p.offset} (+${p.data.length}) is missing or different (${where})`,
            );
          }
          expectedEnd = doc.length;
          if (cycle === CYCLES) {
            await hub.stop('SIGKILL');
            break;
          }

          const observer = await ZwibblerClient.join(url, { docId: DOC, offset: doc.length });
          closers.push(() => observer.close());
          const writers = await Promise.all(
            Array.from({ length: WRITERS }, () => ZwibblerWriter.join(url, { docId: DOC })),
          );
          closers.push(...writers.map((w) => () => w.close()));
          let stop = false;
          const writing = writers.map(async (w, i) => {
            for (let n = 0; !stop; n++) {
              const data = Buffer.from(
                `[c${cycle} w${i} #${n} ${'x'.repeat(Math.floor(random() * 400))}]`,
              );
              try {
                await w.write(data, 10_000);
              } catch {
                return; // the hub is gone
              }
            }
          });
          // Let some appends through, then kill in the middle of the next ones.
          while (writers.reduce((n, w) => n + w.acked.length, 0) < 5) {
            await new Promise((r) => setTimeout(r, 5));
          }
          await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
          hub.child.kill('SIGKILL');
          await hub.exited;
          stop = true;
          await Promise.all(writing);
          assert.equal(
            hub.child.signalCode,
            'SIGKILL',
            `the hub died of the kill: ${hub.stderr()}`,
          );
          for (const w of writers) acked.push(...w.acked);
          for (const m of observer.messages.slice(1)) {
            if (m.type === 'append') seen.push({ offset: m.offset, data: Buffer.from(m.data) });
          }
        }
        t.diagnostic(
          `${acked.length} acknowledged appends and ${seen.length} seen by the observer over ${CYCLES} kills, 0 lost; document ${expectedEnd} bytes`,
        );
        assert.ok(acked.length >= CYCLES * 5);
      },
    );
  });
}
