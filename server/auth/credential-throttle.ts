// Failed credentials per address, one budget shared by every protocol
// (docs/operating.md#guessing-tokens-and-codes): a stored token, JWT, signaling
// token or class token that does not check out costs its address one of
// TokenFailuresPerMinute. An address that has spent them is refused before its
// next credential is even looked at, until the budget refills; refused
// attempts cost nothing, so a class behind one NAT address that shares it
// gets back in as soon as it refills. Good credentials cost nothing either.
import type { Logger } from '../log/logger';
import { AddressLimiter } from '../transport/rate-limit';
import { RefusalLog, retryAfterSeconds } from '../transport/refusals';

/** What a throttled attempt gets instead of a check. */
export interface Throttled {
  throttled: true;
  retryAfterMs: number;
  /** For the client: says what to do. */
  reason: string;
}

export class CredentialThrottle {
  private readonly failures: AddressLimiter;
  private readonly refusals: RefusalLog;

  constructor(failuresPerMinute: number, log: Logger, now: () => number = Date.now) {
    this.failures = new AddressLimiter({
      burst: failuresPerMinute,
      perSecond: failuresPerMinute / 60,
      now,
    });
    this.refusals = new RefusalLog(log, now);
  }

  /**
   * Runs `check` unless the address is out of attempts; a result `failed`
   * says is a failure costs one.
   */
  async attempt<T>(
    address: string,
    check: () => Promise<T>,
    failed: (result: T) => boolean,
  ): Promise<T | Throttled> {
    const wait = this.failures.retryAfterMs(address);
    if (wait > 0) {
      this.refusals.note(address, 'credential refused unchecked: too many failed credentials', {
        limit: 'TokenFailuresPerMinute',
      });
      const reason = `too many failed tokens from this address; try again in ${retryAfterSeconds(wait)} s`;
      return { throttled: true, retryAfterMs: wait, reason };
    }
    const result = await check();
    if (failed(result)) this.failures.spend(address);
    return result;
  }
}

export const isThrottled = (r: unknown): r is Throttled =>
  typeof r === 'object' && r !== null && (r as Partial<Throttled>).throttled === true;
