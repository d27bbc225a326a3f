#!/usr/bin/env node
// The published entry point. The hub is TypeScript run through tsx, so
// `npx lanboard` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
