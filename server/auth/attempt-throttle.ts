// Attempts per address whose cost depends on how they turn out
// (docs/operating.md#guessing-tokens-and-codes): a check runs only while its
// address has budget left, and then costs what its outcome says (a failure
// more than a success, or a success nothing). An address out of budget is
// refused before the check, at no cost, until the budget refills: a class
// behind one NAT address gets back in as soon as it does.
import type { Logger } from '../log/logger';
import { AddressLimiter } from '../transport/rate-limit';
import { RefusalLog, retryAfterSeconds } from '../transport/refusals';

/** What a refused attempt gets instead of a check. */
export interface Throttled {
  throttled: true;
  retryAfterMs: number;
  /** For the client: says what to do. */
  reason: string;
}

export interface AttemptThrottleOptions {
  /** Budget per minute, and the burst. */
  perMinute: number;
  /** What was attempted too often, for the reason and the log: `failed tokens`. */
  what: string;
  /** The setting that sets the budget, for the log. */
  setting: string;
  log: Logger;
  now?: () => number;
}

export class AttemptThrottle {
  private readonly budget: AddressLimiter;
  private readonly refusals: RefusalLog;

  constructor(private readonly o: AttemptThrottleOptions) {
    this.budget = new AddressLimiter({
      burst: o.perMinute,
      perSecond: o.perMinute / 60,
      now: o.now,
    });
    this.refusals = new RefusalLog(o.log, o.now);
  }

  /** Runs `check` unless the address is out of budget, then spends what `cost` says. */
  async attempt<T>(
    address: string,
    check: () => Promise<T>,
    cost: (result: T) => number,
  ): Promise<T | Throttled> {
    const wait = this.budget.retryAfterMs(address);
    if (wait > 0) {
      this.refusals.note(address, `refused unchecked: too many ${this.o.what}`, {
        limit: this.o.setting,
      });
      const reason = `too many ${this.o.what} from this address; try again in ${retryAfterSeconds(wait)} s`;
      return { throttled: true, retryAfterMs: wait, reason };
    }
    const result = await check();
    const spent = cost(result);
    if (spent > 0) this.budget.spend(address, spent);
    return result;
  }
}

export const isThrottled = (r: unknown): r is Throttled =>
  typeof r === 'object' && r !== null && (r as Partial<Throttled>).throttled === true;
