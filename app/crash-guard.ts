// The hub runs in the main process
// (docs/architecture.md#the-desktop-app-runs-the-hub-in-process), so an error
// nothing handled would take the lesson down with the app. Instead each one is
// logged, written to the crash record, and answered by a new hub
// (HubSupervisor.recover: clients get 1012 and reconnect). Past a few in a
// short while the cause is not passing: the app stops restarting and says so.
// Native crashes are Crashpad's: dumps kept on this computer, never uploaded;
// renderer and helper processes that die are recorded too.
import type { App, CrashReporter } from 'electron';
import type { Logger } from '../server/index';
import type { RotatingFile } from './log-file';

export interface CrashEntry {
  time: string;
  kind: 'uncaughtException' | 'unhandledRejection' | 'render-process-gone' | 'child-process-gone';
  message: string;
  stack?: string;
  /** What the app did about it. */
  action: 'restarted the hub' | 'gave up restarting' | 'reloaded the window' | 'recorded';
}

/** The crash record: one JSON line per entry, written before anything else happens. */
export function crashRecorder(file: RotatingFile, log: Logger): (entry: CrashEntry) => void {
  return (entry) => {
    try {
      file.writeNow(`${JSON.stringify(entry)}\n`);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not write the crash record');
    }
  };
}

export interface GuardOptions {
  /** process, or a stand-in in tests. */
  events: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  log: Logger;
  record(entry: CrashEntry): void;
  /** Replaces the hub (HubSupervisor.recover). */
  recover(): Promise<void>;
  /** Called once when restarts stop helping. */
  giveUp(err: Error): void;
  now?: () => number;
  /** More than `count` errors within `windowMs` and the app gives up. */
  limit?: { count: number; windowMs: number };
}

export const CRASH_LIMIT = { count: 3, windowMs: 10 * 60_000 };

/** Handles uncaughtException and unhandledRejection; returns the function that removes the handlers. */
export function guardProcess(o: GuardOptions): () => void {
  const now = o.now ?? Date.now;
  const limit = o.limit ?? CRASH_LIMIT;
  const recent: number[] = [];
  let gaveUp = false;

  const handle = (kind: CrashEntry['kind'], reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    const t = now();
    recent.push(t);
    while (recent[0]! <= t - limit.windowMs) recent.shift();
    const giveUp = gaveUp || recent.length > limit.count;
    const action = giveUp ? 'gave up restarting' : 'restarted the hub';
    o.log.fatal({ err: err.message, stack: err.stack, kind }, `unhandled error: ${action}`);
    o.record({
      time: new Date(t).toISOString(),
      kind,
      message: err.message,
      stack: err.stack,
      action,
    });
    if (giveUp) {
      if (!gaveUp) o.giveUp(err);
      gaveUp = true;
      return;
    }
    o.recover().catch((e: Error) => o.log.error({ err: e.message }, 'the hub did not come back'));
  };
  const onException = (err: unknown) => handle('uncaughtException', err);
  const onRejection = (reason: unknown) => handle('unhandledRejection', reason);
  o.events.on('uncaughtException', onException);
  o.events.on('unhandledRejection', onRejection);
  return () => {
    o.events.off('uncaughtException', onException);
    o.events.off('unhandledRejection', onRejection);
  };
}

/**
 * Crashpad for native crashes, dumps in `dumpsDir` and never uploaded; call
 * before the app is ready so every process it starts is covered.
 */
export function startCrashReporter(
  app: Pick<App, 'setPath'>,
  crashReporter: Pick<CrashReporter, 'start'>,
  dumpsDir: string,
): void {
  app.setPath('crashDumps', dumpsDir);
  crashReporter.start({ uploadToServer: false, productName: 'Lanboard', compress: true });
}

/** Renderer and helper processes that end abnormally: logged and recorded; a dead dashboard is reloaded. */
export function watchProcesses(
  app: Pick<App, 'on'>,
  o: {
    log: Logger;
    record(entry: CrashEntry): void;
    reloadWindow(contentsId: number): boolean;
    now?: () => number;
  },
): void {
  const now = o.now ?? Date.now;
  app.on('render-process-gone', (_event, contents, details) => {
    if (details.reason === 'clean-exit') return;
    const reloaded = o.reloadWindow(contents.id);
    const message = `renderer ${details.reason} (exit code ${details.exitCode})`;
    o.log.error({ reason: details.reason, exitCode: details.exitCode }, message);
    o.record({
      time: new Date(now()).toISOString(),
      kind: 'render-process-gone',
      message,
      action: reloaded ? 'reloaded the window' : 'recorded',
    });
  });
  app.on('child-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    const message = `${details.type}${details.name ? ` (${details.name})` : ''} ${details.reason} (exit code ${details.exitCode})`;
    o.log.error(
      { type: details.type, reason: details.reason, exitCode: details.exitCode },
      message,
    );
    o.record({
      time: new Date(now()).toISOString(),
      kind: 'child-process-gone',
      message,
      action: 'recorded',
    });
  });
}
