// While anyone is connected to the hub, the computer must not go to sleep on
// its own: a sleeping laptop ends the lesson for every student. Electron's
// 'prevent-app-suspension' keeps the system awake (the screen may still turn
// off), and is released as soon as the last connection closes, so the laptop
// sleeps as usual between lessons. Closing a laptop's lid still sleeps it.
import type { PowerSaveBlocker } from 'electron';
import type { Logger } from '../server/index';

export class KeepAwake {
  private blocker: number | undefined;

  constructor(
    private readonly power: Pick<PowerSaveBlocker, 'start' | 'stop'>,
    private readonly log: Logger,
  ) {}

  /** Whether the computer is being kept awake now. */
  get active(): boolean {
    return this.blocker !== undefined;
  }

  /** Called with the hub's open connections (0 when it is not running). */
  update(connections: number): boolean {
    if (connections > 0 && this.blocker === undefined) {
      this.blocker = this.power.start('prevent-app-suspension');
      this.log.info({ connections }, 'keeping the computer awake while devices are connected');
    } else if (connections === 0 && this.blocker !== undefined) {
      this.release();
      this.log.info('the last device left: the computer may sleep again');
    }
    return this.active;
  }

  release(): void {
    if (this.blocker === undefined) return;
    this.power.stop(this.blocker);
    this.blocker = undefined;
  }
}
