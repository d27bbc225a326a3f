// The database servers a hub may share with others (PostgreSQL, MariaDB), as
// one list, for tests and benchmarks that must hold on each: each entry says
// why it cannot run here, starts a real server, and counts a table's rows.
import { mariaDbUnavailable, startMariaDb } from './mariadb-server';
import { postgresUnavailable, startPostgres } from './postgres-server';

/** A running server, with what a hub's environment needs to reach it. */
export interface SqlServer {
  settings: { DbServer: string; DbUser: string; DbPassword: string; DbName: string };
  /** The server's main process, while it runs. */
  pid(): number | undefined;
  /** How many rows a table of the hub's schema holds. */
  count(table: string): Promise<number>;
  stop(): Promise<void>;
}

export interface SqlServerKind {
  /** The Database= value. */
  database: 'postgresql' | 'mariadb';
  /** As `lanboard import` names it. */
  name: string;
  unavailable(): string | undefined;
  /** `durable`: every commit flushed to disk, as a real server runs (the tests' default is faster). */
  start(options?: { durable?: boolean }): Promise<SqlServer>;
}

export const SQL_SERVERS: readonly SqlServerKind[] = [
  {
    database: 'postgresql',
    name: 'PostgreSQL',
    unavailable: postgresUnavailable,
    async start(options) {
      const server = await startPostgres(options);
      return {
        settings: server.settings,
        pid: () => server.pid(),
        count: async (table) =>
          Number((await server.admin(`SELECT count(*) AS n FROM lanboard.${table}`)).rows[0].n),
        stop: () => server.stop(),
      };
    },
  },
  {
    database: 'mariadb',
    name: 'MariaDB',
    unavailable: mariaDbUnavailable,
    async start(options) {
      const server = await startMariaDb(options);
      return {
        settings: server.settings,
        pid: () => server.pid(),
        count: async (table) => {
          const [row] = (await server.admin(`SELECT count(*) AS n FROM ${table}`)) as {
            n: number;
          }[];
          return Number(row!.n);
        },
        stop: () => server.stop(),
      };
    },
  },
];

/** The environment that points `lanboard` at `server`. */
export const sqlEnv = (kind: SqlServerKind, server: SqlServer) => ({
  LANBOARD_DATABASE: kind.database,
  LANBOARD_DB_SERVER: server.settings.DbServer,
  LANBOARD_DB_USER: server.settings.DbUser,
  LANBOARD_DB_PASSWORD: server.settings.DbPassword,
  LANBOARD_DB_NAME: server.settings.DbName,
});
