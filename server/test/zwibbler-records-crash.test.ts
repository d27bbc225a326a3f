// Visible means durable, for Zwibbler tokens and document keys
// (docs/operating.md#what-an-answer-means): the hub runs as a child process
// (the real CLI on a SQLite file); a server application adds tokens through
// the management API, and real Zwibbler clients set document keys while
// another client watches, and documents are created and deleted under a
// reader. Every 200 from addToken and createDocument, every accepted SET_KEY,
// every key update the watcher is sent and every reader told its document was
// deleted is recorded. The hub is SIGKILLed at random moments, often right as
// such an answer arrives. After each restart every recorded token opens its
// document, every recorded key is there at its recorded version or a later
// one, and a document told deleted is gone. (Appends: crash.test.ts.)
// LANBOARD_CRASH_CYCLES sets the cycles (`npm run soak` runs 40).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllHubs } from './child-hub';
import type { ChildHub } from './child-hub';
import { CRASH_CYCLES, crashCycles } from './crash-cycles';
import type { CrashRound } from './crash-cycles';
import { tempDir } from './hub-fixture';
import { expiresIn } from './manage';
import { setKeyMessage, ZwibblerClient } from './zwibbler-client';
import { ErrorCode } from '../protocols/zwibbler/codec';
import type { KeyEntry } from '../protocols/zwibbler/codec';

const KEY_WRITERS = 3;
/** Key names per writer, each set again and again with a growing version. */
const NAMES = 8;
const ENV = {
  LANBOARD_SECRET_USER: 'admin',
  LANBOARD_SECRET_PASSWORD: 'secret',
  // The checks open every recorded document from one address, one after another.
  LANBOARD_NEW_CONNECTIONS_PER_SECOND: '100000',
};
const dir = tempDir('lanboard-zwibbler-records-crash-');
const clients = new Set<ZwibblerClient>();

after(async () => {
  for (const c of clients) await c.close();
  await killAllHubs();
  dir.remove();
});

/** Never throws: a hub killed mid-join leaves the client closed, which the caller sees. */
async function join(hub: ChildHub, docId: string): Promise<ZwibblerClient | undefined> {
  try {
    const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId, creationMode: 0 });
    clients.add(c);
    return c;
  } catch {
    return undefined;
  }
}

/** A management API call's status (asserted 200), or undefined when the hub died first. */
async function manageCall(
  round: CrashRound,
  params: Record<string, string>,
): Promise<number | undefined> {
  const status = await fetch(`${round.hub.httpUrl}/socket`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
    body: new URLSearchParams(params),
  }).then(
    (res) => res.status,
    () => undefined,
  );
  if (status !== undefined) assert.equal(status, 200, `${params.method} (${round.where})`);
  return status;
}

/** A pause between a writer's calls, so that the kinds of answers come at similar rates. */
const pause = (round: CrashRound) =>
  new Promise((resolve) => setTimeout(resolve, round.random() * 30));

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

test(
  `no Zwibbler token or document key a client was told of is lost in ${CRASH_CYCLES} SIGKILLs`,
  { timeout: 60_000 + CRASH_CYCLES * 30_000 },
  async (t) => {
    /** Tokens a 200 was given for; each opens a document holding its own ID. */
    const tokens: { token: string; documentId: string }[] = [];
    /** Per document, per key name: the highest version a client was told of. */
    const keys = new Map<string, Map<string, number>>();
    /** Documents created, and deleted: `deleting` until a client is told. */
    const documents = new Map<string, 'created' | 'deleting' | 'deleted'>();
    const counts = { tokens: 0, acks: 0, updates: 0, created: 0, deleted: 0 };
    const record = (doc: string, entries: readonly KeyEntry[]) => {
      let known = keys.get(doc);
      if (!known) keys.set(doc, (known = new Map()));
      for (const k of entries) {
        known.set(text(k.name), Math.max(known.get(text(k.name)) ?? 0, k.version));
      }
    };

    const check = async (hub: ChildHub): Promise<string[]> => {
      const lost: string[] = [];
      for (const { token, documentId } of tokens) {
        const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, {
          docId: token,
          creationMode: 1,
        });
        const first = c.messages[0];
        if (first?.type !== 'append' || text(first.data) !== documentId) {
          lost.push(`token ${token}: ${JSON.stringify(first)}`);
        }
        await c.close();
      }
      for (const [doc, told] of keys) {
        const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: doc, creationMode: 1 });
        const info = await c.nextOf('key-information', 5000).catch(() => undefined);
        const stored = new Map(info?.keys.map((k) => [text(k.name), k.version]));
        for (const [name, version] of told) {
          if ((stored.get(name) ?? 0) < version) {
            lost.push(`key ${doc}/${name}: told v${version}, stored v${stored.get(name)}`);
          }
        }
        await c.close();
      }
      for (const [id, state] of documents) {
        const c = await ZwibblerClient.join(`${hub.wsUrl}/socket`, { docId: id, creationMode: 1 });
        const first = c.messages[0];
        await c.close();
        const there = first?.type === 'append';
        if (!there && !(first?.type === 'error' && first.code === ErrorCode.DoesNotExist)) {
          lost.push(`document ${id}: ${JSON.stringify(first)}`);
          continue;
        }
        // Never told: either is right, and what the hub says now is what holds.
        if (state === 'deleting') documents.set(id, there ? 'created' : 'deleted');
        else if (there !== (state === 'created'))
          lost.push(`document ${id}: ${state}, there: ${there}`);
      }
      return lost;
    };

    const addTokens = async (round: CrashRound) => {
      for (let n = 0; round.alive(); n++) {
        const token = `tok-${round.cycle}-${n}`;
        const documentId = `doc-${round.cycle}-${n}`;
        const params = {
          method: 'addToken',
          token,
          documentID: documentId,
          userID: `user-${n}`,
          permissions: 'rw',
          expiration: expiresIn(3600),
          contents: documentId,
        };
        const status = await manageCall(round, params);
        if (status === undefined) return;
        round.arrived();
        tokens.push({ token, documentId });
        counts.tokens++;
        await pause(round);
      }
    };

    const setKeys = async (round: CrashRound, doc: string, writer: number) => {
      const c = await join(round.hub, doc);
      if (!c) return;
      const versions = new Array<number>(NAMES).fill(0);
      for (let n = 0; round.alive(); n++) {
        const i = Math.floor(round.random() * NAMES);
        const version = versions[i]! + 1;
        const name = `w${writer}-k${i}`;
        c.send(
          setKeyMessage({
            name,
            value: `${round.cycle}-${n}`,
            lifetime: 1,
            oldVersion: versions[i],
            newVersion: version,
            requestId: n % 65536,
          }),
        );
        const reply = await c.nextOf('set-key-ack-nack', 10_000).catch(() => undefined);
        if (!reply) return;
        assert.ok(reply.accepted, `SET_KEY ${name} v${version} refused (${round.where})`);
        round.arrived();
        versions[i] = version;
        await pause(round);
        record(doc, [{ name: Buffer.from(name), version, value: Buffer.alloc(0) }]);
        counts.acks++;
      }
    };

    /** Creates documents, then deletes each while a client is in it, which is told. */
    const createAndDelete = async (round: CrashRound) => {
      for (let n = 0; round.alive(); n++) {
        const id = `gone-${round.cycle}-${n}`;
        const created = await manageCall(round, {
          method: 'createDocument',
          documentID: id,
          contents: 'x',
        });
        if (created === undefined) return;
        round.arrived();
        documents.set(id, 'created');
        counts.created++;
        if (round.random() < 0.5) continue;
        const reader = await join(round.hub, id);
        if (!reader) return;
        documents.set(id, 'deleting');
        const told = reader.nextOf('error', 10_000).then(
          () => {
            round.arrived();
            documents.set(id, 'deleted');
            counts.deleted++;
          },
          () => undefined,
        );
        if ((await manageCall(round, { method: 'deleteDocument', documentID: id })) === undefined)
          return;
        await told;
      }
    };

    const write = async (round: CrashRound): Promise<void> => {
      // One document per cycle: every key starts at version 0 there.
      const doc = `keys-${round.cycle}`;
      const watcher = await join(round.hub, doc);
      let watched = 0;
      watcher?.ws.on('message', () => {
        const updates = watcher.messages.filter((m) => m.type === 'key-information');
        for (const m of updates.slice(watched)) {
          round.arrived();
          record(doc, m.keys);
          counts.updates++;
        }
        watched = updates.length;
      });
      await Promise.all([
        addTokens(round),
        createAndDelete(round),
        ...Array.from({ length: KEY_WRITERS }, (_, w) => setKeys(round, doc, w)),
      ]);
    };

    const killsOnArrival = await crashCycles(t, {
      name: 'zwibbler',
      dir: dir.dir,
      env: ENV,
      check,
      write,
    });
    t.diagnostic(
      `${CRASH_CYCLES} kills (${killsOnArrival} as an answer arrived); recorded ` +
        `${counts.tokens} tokens, ${counts.acks} key acks, ${counts.updates} key updates ` +
        `seen by a watcher, ${counts.created} documents created and ${counts.deleted} deleted; ` +
        'all as told after every restart',
    );
    assert.ok(counts.tokens > 0 && counts.acks > 0, 'the test added tokens and set keys');
  },
);
