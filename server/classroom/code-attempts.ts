// Class codes tried per address (docs/protocols/classroom.md#guessing-class-codes).
// A code is 6 of 31 characters, about 8.9e8 codes, and says nothing but that
// its class exists; a page that knows its code asks once or twice. A code that
// names no class costs its address ten attempts, a good one one (or nothing
// once the page holds a token), so a class behind one NAT address joins and
// reloads freely while a guesser gets a few dozen misses a minute.
import { AttemptThrottle } from '../auth/attempt-throttle';
import type { Logger } from '../log/logger';

export const MISSED_CODE_COST = 10;

export function codeAttempts(perMinute: number, log: Logger, now: () => number): AttemptThrottle {
  return new AttemptThrottle({
    perMinute,
    what: 'class codes tried',
    setting: 'ClassCodeAttemptsPerMinute',
    log,
    now,
  });
}
