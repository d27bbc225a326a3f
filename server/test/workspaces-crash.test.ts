// Visible means durable, for workspaces (docs/protocols/workspaces.md#what-survives-a-crash):
// the hub runs as a child process (the real CLI on a SQLite file), real
// Socket.IO v2 clients create workspaces and attend them, and every `created`
// and `attendance-granted` a client gets is recorded. The hub is SIGKILLed at
// random moments, often right as such a reply arrives. After each restart
// every recorded workspace and attendee must still be there: each re-attends
// with the access token it was given and is granted.
// LANBOARD_CRASH_CYCLES sets the cycles (`npm run soak` runs 40).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { killAllHubs, spawnHub } from './child-hub';
import type { ChildHub } from './child-hub';
import { tempDir } from './hub-fixture';
import { prng } from './random';
import { WorkspaceClient } from './workspaces-client';
import type { Created } from './workspaces-client';

const CYCLES = Number(process.env.LANBOARD_CRASH_CYCLES ?? 6);
/** Clients creating and attending at once. */
const WRITERS = 4;
/** Re-attends checked at once after a restart. */
const CHECKS_AT_ONCE = 10;
const dir = tempDir('lanboard-workspaces-crash-');

after(async () => {
  await WorkspaceClient.closeAll();
  await killAllHubs();
  dir.remove();
});

/** What a client was told: a workspace it created, or its attendance of one. */
interface Told {
  workspace: { id: string; token: string };
  attendee: { id: string };
  accessToken: string;
}

/**
 * Sends `event` on a fresh connection and resolves with the first of `replies`,
 * or undefined once the connection is lost (the hub was killed). `onReply`
 * runs as the reply arrives, before anything else.
 */
async function ask(
  hub: ChildHub,
  event: string,
  data: unknown,
  replies: readonly string[],
  onReply: (event: string, data: unknown) => void = () => undefined,
): Promise<{ event: string; data: unknown } | undefined> {
  // A hub killed mid-handshake may leave the client waiting for nothing: its exit ends the wait.
  const died = hub.exited.then(() => undefined);
  const connecting = WorkspaceClient.connect(hub.httpUrl);
  const client = await Promise.race([connecting.catch(() => undefined), died]);
  if (!client) {
    void connecting.then(
      (c) => c.close(),
      () => undefined,
    );
    return undefined;
  }
  try {
    return await new Promise((resolve) => {
      void died.then(resolve);
      for (const name of replies) {
        client.socket.once(name, (reply: unknown) => {
          onReply(name, reply);
          resolve({ event: name, data: reply });
        });
      }
      client.socket.once('disconnect', () => resolve(undefined));
      client.emit(event, data);
    });
  } finally {
    await client.close();
  }
}

const REPLIES = ['created', 'attendance-granted', 'alert', 'full', 'destroyed'] as const;

test(
  `nothing a workspaces client was told is lost in ${CYCLES} SIGKILLs`,
  { timeout: 60_000 + CYCLES * 30_000 },
  async (t) => {
    const seed = Number(process.env.LANBOARD_TEST_SEED ?? Date.now() % 2 ** 31);
    t.diagnostic(`seed ${seed}`);
    const random = prng(seed);
    const args = ['--db', path.join(dir.dir, 'hub.db'), '--data-dir', dir.dir];
    // One address creates and attends far more than a classroom would.
    const env = {
      LANBOARD_WORKSPACES_PER_HOUR: '100000',
      LANBOARD_NEW_CONNECTIONS_PER_SECOND: '100000',
      LANBOARD_WORKSPACE_CAPACITY: '20',
    };

    const told: Told[] = [];
    /** Attendees recorded per workspace: kept under the member cap (10 × capacity). */
    const attendees = new Map<string, number>();
    let killsOnArrival = 0;
    /** How often each reply came, for the diagnostics. */
    const answers = new Map<string, number>();

    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const hub = await spawnHub(args, env);
      const where = `cycle ${cycle}, seed ${seed}`;
      const lost: string[] = [];
      for (let i = 0; i < told.length; i += CHECKS_AT_ONCE) {
        await Promise.all(
          told.slice(i, i + CHECKS_AT_ONCE).map(async (who) => {
            const answer = await ask(
              hub,
              're-attend',
              {
                workspace: { id: who.workspace.id },
                attendee: who.attendee,
                nonce: 'check',
                accessToken: who.accessToken,
              },
              ['re-attendance-granted', 'alert', 'full', 'destroyed'],
            );
            if (answer?.event !== 're-attendance-granted') {
              lost.push(`${who.workspace.id}/${who.attendee.id}: ${JSON.stringify(answer)}`);
            }
          }),
        );
      }
      assert.deepEqual(lost, [], `recorded workspaces or attendees were lost (${where})`);
      if (cycle === CYCLES) {
        await hub.stop('SIGKILL');
        break;
      }

      // Killed either as the k-th grant reaches a client (before it even records
      // it: the narrowest window there is), or at a random moment.
      const onArrival = random() < 0.75;
      const k = 1 + Math.floor(random() * 25);
      let grants = 0;
      const kill = () => hub.child.kill('SIGKILL');
      const record = (event: string, data: unknown) => {
        if (event !== 'created' && event !== 'attendance-granted') return;
        if (onArrival && ++grants === k) kill();
        const reply = data as Created;
        told.push({
          workspace: reply.workspace,
          attendee: reply.attendee,
          accessToken: reply.accessToken,
        });
        attendees.set(reply.workspace.id, (attendees.get(reply.workspace.id) ?? 0) + 1);
      };
      if (onArrival) killsOnArrival++;
      else setTimeout(kill, 20 + random() * 1500);

      const alive = () => hub.child.exitCode === null && hub.child.signalCode === null;
      let n = 0;
      const writing = Array.from({ length: WRITERS }, async () => {
        while (alive()) {
          const open = told.filter((w) => (attendees.get(w.workspace.id) ?? 0) < 40);
          const target = open[Math.floor(random() * open.length)];
          const answer =
            target && random() < 0.6
              ? await ask(
                  hub,
                  'attend',
                  {
                    workspace: { token: target.workspace.token, pin: '' },
                    attendee: { name: `student ${cycle}-${n++}`, avatar: '' },
                    nonce: 'attend',
                  },
                  REPLIES,
                  record,
                )
              : await ask(
                  hub,
                  'create',
                  {
                    workspace: { name: `lab ${cycle}-${n++}`, pin: '', avatar: '' },
                    attendee: { name: 'Teacher', avatar: '' },
                    nonce: 'create',
                  },
                  REPLIES,
                  record,
                );
          answers.set(String(answer?.event), (answers.get(String(answer?.event)) ?? 0) + 1);
          if (answer?.event === 'alert')
            assert.fail(`alert: ${JSON.stringify(answer.data)} (${where})`);
        }
      });
      // Writing stops with the hub; a hub that never reaches k grants is killed anyway.
      const deadline = setTimeout(kill, 10_000);
      await hub.exited;
      clearTimeout(deadline);
      await Promise.all(writing);
      assert.equal(hub.child.signalCode, 'SIGKILL', `the hub died of the kill: ${hub.stderr()}`);
    }
    t.diagnostic(
      `${CYCLES} kills (${killsOnArrival} as a grant arrived), ${told.length} grants recorded ` +
        `(${attendees.size} workspaces), all re-attended after every restart`,
    );
    t.diagnostic(
      `replies while writing (undefined: cut off by the kill): ${JSON.stringify([...answers])}`,
    );
  },
);
