#!/usr/bin/env node
// The published entry point. From the npm package it runs the hub compiled
// ahead of time (lib/lanboard.mjs, built by `npm run build:server`). In a
// checkout, where server/ holds the TypeScript sources, it runs those through
// tsx, so that `npx lanboard` always runs the code as it is now, never an
// older build.
import fs from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../server/cli.ts', import.meta.url);
if (fs.existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../lib/lanboard.mjs');
}
