// Failed credentials per address, one budget shared by every protocol
// (docs/operating.md#guessing-tokens-and-codes): a stored token, JWT, signaling
// token or class token that does not check out costs its address one of
// TokenFailuresPerMinute; a good one costs nothing.
import type { Logger } from '../log/logger';
import { AttemptThrottle } from './attempt-throttle';
import type { Throttled } from './attempt-throttle';

export { isThrottled } from './attempt-throttle';
export type { Throttled } from './attempt-throttle';

export class CredentialThrottle {
  private readonly attempts: AttemptThrottle;

  constructor(failuresPerMinute: number, log: Logger, now: () => number = Date.now) {
    this.attempts = new AttemptThrottle({
      perMinute: failuresPerMinute,
      what: 'failed tokens',
      setting: 'TokenFailuresPerMinute',
      log,
      now,
    });
  }

  /** Runs the check unless the address is out of failures; a `failed` result costs one. */
  attempt<T>(
    address: string,
    check: () => Promise<T>,
    failed: (result: T) => boolean,
  ): Promise<T | Throttled> {
    return this.attempts.attempt(address, check, (r) => (failed(r) ? 1 : 0));
  }
}
