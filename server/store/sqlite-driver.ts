// better-sqlite3's Database class, loaded with require() rather than imported:
// Node 20 and 22 hold more memory for a CommonJS package imported into an ES
// module (as for ws, transport/ws.ts).
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export const SqliteDatabase = createRequire(import.meta.url)(
  'better-sqlite3',
) as typeof BetterSqlite3;
