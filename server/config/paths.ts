// Where a headless hub keeps its state when no DataDir is given. The desktop
// app passes its own (app.getPath('userData')).
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(
        env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'),
        'Lanboard',
      );
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', 'Lanboard');
    default:
      return path.posix.join(
        env.XDG_DATA_HOME || path.posix.join(home, '.local', 'share'),
        'lanboard',
      );
  }
}
