// The first start of the hub, with what a teacher can do about the two
// failures that happen on real machines: the port is taken by another
// program (a dialog, then a temporary loopback port with Settings open), or
// the settings file does not load (a dialog that shows the file), or the
// database is damaged (a dialog that shows the newest backup). Anything else
// is thrown to the caller, which reports it and quits.
import type { App, Dialog, Shell } from 'electron';
import { ConfigError, DamagedDatabaseError, ListenError, loadConfig } from '../server/index';
import type { ConfigSources, HubSupervisor } from '../server/index';
import { temporarySources } from './hub-host';

export interface StartupOptions {
  app: Pick<App, 'quit'>;
  dialog: Pick<Dialog, 'showMessageBox'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  supervisor: HubSupervisor;
  sources: ConfigSources;
  configFile: string;
  /** The smoke test takes no dialog: any failure is its verdict. */
  smokeTest: boolean;
  /** The window should open on Settings (a temporary port is in use). */
  openSettings(): void;
}

export async function startFirstHub(o: StartupOptions): Promise<void> {
  try {
    await o.supervisor.start();
  } catch (err) {
    if (o.smokeTest || !(err instanceof ListenError || err instanceof ConfigError)) throw err;
    if (err instanceof DamagedDatabaseError) return damagedDatabase(o, err);
    if (err instanceof ConfigError) return badConfig(o, err);
    const port = loadConfig(o.sources).config.ServerPort;
    const { response } = await o.dialog.showMessageBox({
      type: 'warning',
      title: 'Lanboard',
      message:
        err.code === 'EADDRINUSE'
          ? `Port ${port} is already in use by another program.`
          : `Lanboard cannot listen on port ${port}.`,
      detail: `${err.message}\n\nOpen Settings to choose another port. Until then the hub runs on a temporary port that only this computer can reach.`,
      buttons: ['Open Settings', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response !== 0) return void o.app.quit();
    o.openSettings();
    await o.supervisor.start(temporarySources(o.sources));
  }
}

/** docs/operating.md#restoring-a-backup, in a teacher's words. */
async function damagedDatabase(o: StartupOptions, err: DamagedDatabaseError): Promise<void> {
  const backup = err.newestBackup;
  const { response } = await o.dialog.showMessageBox({
    type: 'error',
    title: 'Lanboard',
    message: "Lanboard's database is damaged.",
    detail:
      `${err.message}\n\n` +
      (backup
        ? `To restore the newest backup, put a copy of ${backup} in place of ${err.file} (move the damaged file aside first), then start Lanboard again. `
        : 'There is no backup of it yet. ') +
      `To start on the damaged file anyway, add DbStartDamaged=1 to ${o.configFile}.`,
    buttons: [backup ? 'Show the newest backup' : 'Show the database', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response === 0) o.shell.showItemInFolder(backup ?? err.file);
  o.app.quit();
}

async function badConfig(o: StartupOptions, err: ConfigError): Promise<void> {
  const { response } = await o.dialog.showMessageBox({
    type: 'error',
    title: 'Lanboard',
    message: 'Lanboard cannot use its settings file.',
    detail: `${err.message}\n\nFix or remove ${o.configFile}, then start Lanboard again.`,
    buttons: ['Show the file', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response === 0) o.shell.showItemInFolder(o.configFile);
  o.app.quit();
}
