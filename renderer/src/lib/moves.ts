// Whether open boards can follow the hub through a restart that moves it, said
// before the restart is applied. After a move the old address answers "moved"
// for ten minutes and open boards go to the new one by themselves
// (server/moved/); some moves they cannot follow, and the teacher confirms
// those knowing it.

/** Settings whose change moves the hub to another address. */
export const MOVES = ['ServerPort', 'ServerBindAddress', 'CertFile', 'KeyFile'] as const;

/** The running value and the value after the restart, of each setting in MOVES that changes. */
export type MoveValues = Record<(typeof MOVES)[number], { now: string; next: string }>;

export interface MoveCheck {
  /** The settings that change, by key. */
  moving: string[];
  /** Why open boards cannot follow; empty when they can. */
  blockers: string[];
}

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/i;

export function checkMove(values: MoveValues): MoveCheck {
  const moving = MOVES.filter((k) => values[k].now !== values[k].next);
  const blockers: string[] = [];
  const bind = values.ServerBindAddress;
  if (LOOPBACK.test(bind.next) && !LOOPBACK.test(bind.now)) {
    blockers.push(
      `the hub would listen on ${bind.next}, which only this computer can reach: no student device can connect`,
    );
  }
  const tlsNow = values.CertFile.now !== '';
  const tlsNext = values.CertFile.next !== '';
  if (tlsNow && !tlsNext) {
    blockers.push(
      'the hub would stop using HTTPS: boards opened with https:// cannot connect to an http:// address',
    );
  } else if (!tlsNow && tlsNext) {
    blockers.push(
      'the hub would start using HTTPS: each device must accept its certificate on the new https:// address first',
    );
  }
  return { moving, blockers };
}

/** The confirm step's sentence: what open boards will do, or why they cannot. */
export function moveWarning(check: MoveCheck): string {
  if (check.blockers.length === 0) {
    return `This changes ${check.moving.join(', ')}. Open boards follow the hub to its new address by themselves: the old address tells them where it went for 10 minutes. Anyone who opens the old join address or QR code later must use the new one.`;
  }
  return `Open boards cannot follow this change: ${check.blockers.join('; ')}. Students will have to open the new join address themselves.`;
}
