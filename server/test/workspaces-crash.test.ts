// Visible means durable, for workspaces (docs/protocols/workspaces.md#what-survives-a-crash):
// the hub runs as a child process (the real CLI on a SQLite file), real
// Socket.IO v2 clients create workspaces, attend them, leave them, and owners
// kick attendees and destroy workspaces. Every `created` and
// `attendance-granted` a client gets is recorded, and so is every `leave`,
// `kicked` and `destroyed` another client is told of. The hub is SIGKILLed at
// random moments, often right as such a reply arrives. After each restart
// every recorded attendee re-attends with the access token it was given and is
// granted; one told gone is refused, and a workspace told destroyed stays so.
// LANBOARD_CRASH_CYCLES sets the cycles (`npm run soak` runs 40).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { killAllHubs } from './child-hub';
import type { ChildHub } from './child-hub';
import { CRASH_CYCLES, crashCycles } from './crash-cycles';
import type { CrashRound } from './crash-cycles';
import { tempDir } from './hub-fixture';
import { WorkspaceClient } from './workspaces-client';
import type { Created } from './workspaces-client';

/** Clients writing at once. */
const WRITERS = 4;
/** Re-attends checked at once after a restart. */
const CHECKS_AT_ONCE = 10;
const NOT_MEMBER = 'You are no longer an attendee of this workspace.';
const dir = tempDir('lanboard-workspaces-crash-');

after(async () => {
  await WorkspaceClient.closeAll();
  await killAllHubs();
  dir.remove();
});

/**
 * An attendee a client was told of. `leaving`: a leave or kick was sent and
 * its announcement not yet seen, so either answer is right after a crash.
 */
interface Told {
  workspace: { id: string; token: string };
  attendee: { id: string };
  accessToken: string;
  owner: boolean;
  state: 'in' | 'leaving' | 'gone';
}

type Reply = { event: string; data: unknown } | undefined;

/** A connection, or undefined once the hub is dead: its exit ends a wait for a handshake. */
async function connect(hub: ChildHub): Promise<WorkspaceClient | undefined> {
  const connecting = WorkspaceClient.connect(hub.httpUrl);
  const died = hub.exited.then(() => undefined);
  const client = await Promise.race([connecting.catch(() => undefined), died]);
  if (!client) {
    void connecting.then(
      (c) => c.close(),
      () => undefined,
    );
  }
  return client;
}

/**
 * Resolves with the first of `replies` the client gets (`match` picks among
 * them), or undefined once the connection is lost. `onReply` runs as the reply
 * arrives, before anything else.
 */
function hear(
  hub: ChildHub,
  client: WorkspaceClient,
  replies: readonly string[],
  onReply: (event: string, data: unknown) => void = () => undefined,
  match: (event: string, data: unknown) => boolean = () => true,
): Promise<Reply> {
  return new Promise((resolve) => {
    void hub.exited.then(() => resolve(undefined));
    for (const name of replies) {
      const listener = (reply: unknown) => {
        if (!match(name, reply)) return;
        client.socket.off(name, listener);
        onReply(name, reply);
        resolve({ event: name, data: reply });
      };
      client.socket.on(name, listener);
    }
    client.socket.once('disconnect', () => resolve(undefined));
  });
}

/** Sends `event` and hears the reply. */
function ask(
  hub: ChildHub,
  client: WorkspaceClient,
  event: string,
  data: unknown,
  replies: readonly string[],
  onReply?: (event: string, data: unknown) => void,
): Promise<Reply> {
  const reply = hear(hub, client, replies, onReply);
  client.emit(event, data);
  return reply;
}

/** `ask` on a fresh connection, closed after. */
async function askOnce(
  hub: ChildHub,
  event: string,
  data: unknown,
  replies: readonly string[],
  onReply?: (event: string, data: unknown) => void,
): Promise<Reply> {
  const client = await connect(hub);
  if (!client) return undefined;
  try {
    return await ask(hub, client, event, data, replies, onReply);
  } finally {
    await client.close();
  }
}

const REPLIES = ['created', 'attendance-granted', 'alert', 'full', 'destroyed'] as const;

const reattendOf = (who: Told) => ({
  workspace: { id: who.workspace.id },
  attendee: who.attendee,
  nonce: 'again',
  accessToken: who.accessToken,
});
/** What every event of an attendee present carries. */
const asWho = (who: Told) => ({
  workspace: { id: who.workspace.id },
  attendee: who.attendee,
  accessToken: who.accessToken,
});

test(
  `nothing a workspaces client was told is lost in ${CRASH_CYCLES} SIGKILLs`,
  { timeout: 60_000 + CRASH_CYCLES * 30_000 },
  async (t) => {
    const told: Told[] = [];
    /** Workspaces a destroy was sent for: `destroying` until `destroyed` is seen. */
    const destroyed = new Map<string, 'destroying' | 'destroyed'>();
    /** Workspaces an owner is acting in: one owner connection at a time (a second replaces the first). */
    const busy = new Set<string>();
    const counts = { granted: 0, left: 0, kicked: 0, destroyed: 0 };
    /** How often each reply came, for the diagnostics. */
    const answers = new Map<string, number>();
    const count = (answer: Reply) =>
      answers.set(String(answer?.event), (answers.get(String(answer?.event)) ?? 0) + 1);

    const checkOne = async (hub: ChildHub, who: Told): Promise<string | undefined> => {
      const answer = await askOnce(hub, 're-attend', reattendOf(who), [
        're-attendance-granted',
        'alert',
        'full',
        'destroyed',
      ]);
      const granted = answer?.event === 're-attendance-granted';
      const gone = answer?.event === 'alert' && answer.data === NOT_MEMBER;
      const id = who.workspace.id;
      // Never answered: either is right, and what the hub says now is what holds.
      if (destroyed.get(id) === 'destroying') {
        if (answer?.event === 'destroyed') destroyed.set(id, 'destroyed');
        else if (granted || gone) destroyed.delete(id);
      }
      if (who.state === 'leaving') who.state = gone ? 'gone' : 'in';
      const expected =
        destroyed.get(id) === 'destroyed'
          ? answer?.event === 'destroyed'
          : who.state === 'gone'
            ? gone
            : granted;
      if (expected) return undefined;
      const was = destroyed.get(id) === 'destroyed' ? 'destroyed' : who.state;
      const said = answer?.event === 'alert' ? `alert ${String(answer.data)}` : answer?.event;
      return `${id}/${who.attendee.id} (${was}): ${said}`;
    };

    const check = async (hub: ChildHub): Promise<string[]> => {
      const lost: string[] = [];
      for (let i = 0; i < told.length; i += CHECKS_AT_ONCE) {
        const some = await Promise.all(
          told.slice(i, i + CHECKS_AT_ONCE).map((who) => checkOne(hub, who)),
        );
        for (const line of some) if (line) lost.push(line);
      }
      return lost;
    };

    const write = async (round: CrashRound): Promise<void> => {
      const { hub, random, cycle, where } = round;
      let n = 0;
      const record = (event: string, data: unknown) => {
        if (event !== 'created' && event !== 'attendance-granted') return;
        round.arrived();
        const reply = data as Created;
        told.push({
          workspace: reply.workspace,
          attendee: reply.attendee,
          accessToken: reply.accessToken,
          owner: event === 'created',
          state: 'in',
        });
        counts.granted++;
      };
      const standing = (w: string) => !destroyed.has(w);
      const members = (w: string) => told.filter((m) => m.workspace.id === w);

      /** The owner present in its workspace, then `act` with that connection; returns its reply. */
      const asOwner = async (
        owner: Told,
        act: (c: WorkspaceClient) => Promise<Reply>,
      ): Promise<Reply> => {
        const c = await connect(hub);
        if (!c) return undefined;
        try {
          const back = await ask(hub, c, 're-attend', reattendOf(owner), [
            're-attendance-granted',
            'alert',
          ]);
          return back?.event === 're-attendance-granted' ? await act(c) : back;
        } finally {
          await c.close();
        }
      };

      /** An attendee leaves (its own connection); the owner is told. */
      const leave = (owner: Told, who: Told) =>
        asOwner(owner, async (o) => {
          const c = await connect(hub);
          if (!c) return undefined;
          try {
            const back = await ask(hub, c, 're-attend', reattendOf(who), [
              're-attendance-granted',
              'alert',
            ]);
            if (back?.event !== 're-attendance-granted') return back;
            who.state = 'leaving';
            const heard = hear(
              hub,
              o,
              ['leave'],
              undefined,
              (_e, data) => (data as { id?: string }).id === who.attendee.id,
            );
            c.emit('leave', asWho(who));
            const answer = await heard;
            if (answer) {
              round.arrived();
              who.state = 'gone';
              counts.left++;
            }
            return answer;
          } finally {
            await c.close();
          }
        });

      const kick = (owner: Told, who: Told) =>
        asOwner(owner, async (o) => {
          who.state = 'leaving';
          const answer = await ask(
            hub,
            o,
            'kick',
            { ...asWho(owner), kickedAttendee: { id: who.attendee.id } },
            ['kicked', 'alert'],
          );
          if (answer?.event === 'kicked') {
            round.arrived();
            who.state = 'gone';
            counts.kicked++;
          }
          return answer;
        });

      const destroy = (owner: Told) =>
        asOwner(owner, async (o) => {
          destroyed.set(owner.workspace.id, 'destroying');
          const answer = await ask(hub, o, 'destroy', asWho(owner), ['destroyed', 'alert']);
          if (answer?.event === 'destroyed') {
            round.arrived();
            destroyed.set(owner.workspace.id, 'destroyed');
            counts.destroyed++;
          }
          return answer;
        });

      const attendOrCreate = (target: Told | undefined) =>
        target && random() < 0.6
          ? askOnce(
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
          : askOnce(
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

      /** One step: mostly creating and attending, sometimes a leave, a kick or a destroy. */
      const step = async (): Promise<Reply> => {
        const owners = told.filter((o) => o.owner && standing(o.workspace.id));
        const open = owners.filter((o) => members(o.workspace.id).length < 40);
        const pick = random();
        const owner = owners[Math.floor(random() * owners.length)];
        if (pick >= 0.45 || !owner || busy.has(owner.workspace.id)) {
          return attendOrCreate(open[Math.floor(random() * open.length)]);
        }
        const w = owner.workspace.id;
        const guests = members(w).filter((m) => !m.owner && m.state === 'in');
        const guest = guests[Math.floor(random() * guests.length)];
        busy.add(w);
        try {
          if (pick < 0.05) return await destroy(owner);
          if (!guest) return await attendOrCreate(owner);
          return await (pick < 0.2 ? leave(owner, guest) : kick(owner, guest));
        } finally {
          busy.delete(w);
        }
      };

      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (round.alive()) {
            const answer = await step();
            count(answer);
            if (answer?.event === 'alert')
              assert.fail(`alert: ${JSON.stringify(answer.data)} (${where})`);
          }
        }),
      );
    };

    const killsOnArrival = await crashCycles(t, {
      name: 'workspaces',
      dir: dir.dir,
      // One address creates and attends far more than a classroom would.
      env: {
        LANBOARD_WORKSPACES_PER_HOUR: '100000',
        LANBOARD_NEW_CONNECTIONS_PER_SECOND: '100000',
        LANBOARD_WORKSPACE_CAPACITY: '20',
      },
      check,
      write,
    });
    t.diagnostic(
      `${CRASH_CYCLES} kills (${killsOnArrival} as a reply arrived); recorded ` +
        `${counts.granted} grants, ${counts.left} leaves, ${counts.kicked} kicks, ` +
        `${counts.destroyed} destroys; all as told after every restart`,
    );
    t.diagnostic(
      `replies while writing (undefined: cut off by the kill): ${JSON.stringify([...answers])}`,
    );
    const removals = counts.left + counts.kicked + counts.destroyed;
    assert.ok(counts.granted > 0 && removals > 0, 'the test attended and removed attendees');
  },
);
