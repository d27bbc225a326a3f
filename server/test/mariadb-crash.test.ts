// Crash safety on MariaDB (server/test/appends-under-kill.ts), the server
// flushing InnoDB's log at every commit: 0 acknowledged or visible appends
// lost over SIGKILLs of the hub.
import { describeAppendsUnderKill } from './appends-under-kill';
import { mariaDbUnavailable, startMariaDb } from './mariadb-server';

describeAppendsUnderKill('MariaDB', mariaDbUnavailable(), () => startMariaDb({ durable: true }));
