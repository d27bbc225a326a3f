// Visible means durable, for classes (docs/operating.md#what-an-answer-means):
// the hub runs as a child process (the real CLI on a SQLite file); the
// teacher's dashboard calls create classes and remove students, students join
// over HTTP, and every answer a client gets is recorded: a class created, a
// student told "joined" with a member token, a student removed. The hub is
// SIGKILLed at random moments, often right as such an answer arrives. After
// each restart every recorded class still opens with its teacher's token,
// every joined student is still that member, and every removed one stays out.
// LANBOARD_CRASH_CYCLES sets the cycles (`npm run soak` runs 40).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ClassDetail } from '../admin/api-types';
import type { JoinReply } from '../classroom/api-types';
import { adminCall } from './admin-client';
import { killAllHubs } from './child-hub';
import type { ChildHub } from './child-hub';
import { joinRequest, me, teacherTokenOf, TEST_ADMIN_TOKEN } from './class-client';
import { CRASH_CYCLES, crashCycles } from './crash-cycles';
import type { CrashRound } from './crash-cycles';
import { tempDir } from './hub-fixture';

const WRITERS = 4;
const CHECKS_AT_ONCE = 10;
/** Members per class kept well under ClassMaxMembers (200). */
const MEMBERS_PER_CLASS = 60;
const dir = tempDir('lanboard-classes-crash-');

after(async () => {
  await killAllHubs();
  dir.remove();
});

/** A member a client was told about; `removing`: a removal was asked, its answer not yet seen. */
interface Told {
  code: string;
  id: string;
  token: string;
  state: 'joined' | 'removing' | 'removed';
}

/** An answer, or undefined when the hub died before giving it all. */
async function answer<T>(call: () => Promise<{ status: number; body: T }>) {
  try {
    return await call();
  } catch {
    return undefined;
  }
}

test(
  `nothing a class client was told is lost in ${CRASH_CYCLES} SIGKILLs`,
  { timeout: 60_000 + CRASH_CYCLES * 30_000 },
  async (t) => {
    const classes: ClassDetail[] = [];
    const members: Told[] = [];
    const counts = { created: 0, joined: 0, removed: 0 };

    /** Each recorded token as the hub answers it now: the teacher's and joined ones admitted, removed ones refused. */
    const check = async (hub: ChildHub): Promise<string[]> => {
      const lost: string[] = [];
      const teachers: Told[] = classes.map((c) => ({
        code: c.code,
        id: '',
        token: teacherTokenOf(c),
        state: 'joined',
      }));
      const all = [...teachers, ...members];
      for (let i = 0; i < all.length; i += CHECKS_AT_ONCE) {
        await Promise.all(
          all.slice(i, i + CHECKS_AT_ONCE).map(async (who) => {
            const { status, state } = await me(hub.httpUrl, who.code, who.token);
            const admitted = status === 200 && (who.id === '' || state.member.id === who.id);
            const removed = status === 403 && /removed/.test(state.error ?? '');
            // Never answered: either is right, and what the hub says now is what holds.
            if (who.state === 'removing') who.state = removed ? 'removed' : 'joined';
            if (who.state === 'removed' ? !removed : !admitted) {
              lost.push(
                `${who.code}/${who.id || 'teacher'} ${who.state}: ${status} ${state.error}`,
              );
            }
          }),
        );
      }
      return lost;
    };

    const write = async (round: CrashRound): Promise<void> => {
      const { hub, random, cycle } = round;
      let n = 0;
      const admin = <T>(path: string, body: unknown) =>
        answer(() =>
          adminCall<T>(hub.httpUrl, path, { method: 'POST', token: TEST_ADMIN_TOKEN, body }),
        );
      const createClass = async () => {
        const reply = await admin<ClassDetail>('classes', { title: `class ${cycle}-${n++}` });
        if (reply?.status !== 201) return;
        round.arrived();
        classes.push(reply.body);
        counts.created++;
      };
      const join = async (code: string) => {
        const reply = await answer(async () => {
          const res = await joinRequest(hub.httpUrl, code, { name: `student ${cycle}-${n++}` });
          return { status: res.status, body: (await res.json()) as JoinReply };
        });
        if (reply === undefined) return;
        assert.equal(reply.status, 201, `join: ${JSON.stringify(reply.body)} (${round.where})`);
        round.arrived();
        members.push({ code, id: reply.body.member.id, token: reply.body.token, state: 'joined' });
        counts.joined++;
      };
      const remove = async (who: Told) => {
        who.state = 'removing';
        const reply = await admin(`classes/${who.code}/members/${who.id}/kick`, {});
        if (reply?.status !== 200) return;
        round.arrived();
        who.state = 'removed';
        counts.removed++;
      };
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (round.alive()) {
            const open = classes.filter(
              (c) => members.filter((m) => m.code === c.code).length < MEMBERS_PER_CLASS,
            );
            const joined = members.filter((m) => m.state === 'joined');
            const pick = random();
            if (open.length === 0 || pick < 0.1) await createClass();
            else if (pick < 0.25 && joined.length > 0)
              await remove(joined[Math.floor(random() * joined.length)]!);
            else await join(open[Math.floor(random() * open.length)]!.code);
          }
        }),
      );
    };

    const killsOnArrival = await crashCycles(t, {
      name: 'classes',
      dir: dir.dir,
      args: ['--admin-token', TEST_ADMIN_TOKEN],
      // One address joins far more often than a classroom would.
      env: { LANBOARD_CLASS_CODE_ATTEMPTS_PER_MINUTE: '1000000' },
      check,
      write,
    });
    t.diagnostic(
      `${CRASH_CYCLES} kills (${killsOnArrival} as an answer arrived); recorded ` +
        `${counts.created} classes, ${counts.joined} joins, ${counts.removed} removals; ` +
        'all as told after every restart',
    );
    assert.ok(counts.joined > 0 && counts.removed > 0, 'the test joined and removed students');
  },
);
