// The Electron entry, bundled to out/main.mjs. Everything else is in app.ts,
// which takes Electron as an argument (the tests pass a fake).
import * as electron from 'electron';
import { runApp } from './app';

runApp(electron, { argv: process.argv, env: process.env }).catch((err: Error) => {
  // Never a crash dialog with a stack: one clear message, then out.
  process.stderr.write(`lanboard: ${err.stack ?? err.message}\n`);
  electron.dialog.showErrorBox('Lanboard could not start', err.message);
  electron.app.exit(1);
});
