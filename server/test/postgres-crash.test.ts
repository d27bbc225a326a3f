// Crash safety on PostgreSQL (server/test/appends-under-kill.ts), the server
// with fsync on: 0 acknowledged or visible appends lost over SIGKILLs of the hub.
import { describeAppendsUnderKill } from './appends-under-kill';
import { postgresUnavailable, startPostgres } from './postgres-server';

describeAppendsUnderKill('PostgreSQL', postgresUnavailable(), () =>
  startPostgres({ durable: true }),
);
