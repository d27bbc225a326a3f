// The database servers a hub may share with others (PostgreSQL, MariaDB), as
// one list, for tests that must hold on each: each entry says why it cannot
// run here, starts a real server for the test, and counts a table's rows.
import { mariaDbUnavailable, startMariaDb } from './mariadb-server';
import { postgresUnavailable, startPostgres } from './postgres-server';

/** A running server, with what a hub's environment needs to reach it. */
export interface SqlServer {
  settings: { DbServer: string; DbUser: string; DbPassword: string; DbName: string };
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
  start(): Promise<SqlServer>;
}

export const SQL_SERVERS: readonly SqlServerKind[] = [
  {
    database: 'postgresql',
    name: 'PostgreSQL',
    unavailable: postgresUnavailable,
    async start() {
      const server = await startPostgres();
      return {
        settings: server.settings,
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
    async start() {
      const server = await startMariaDb();
      return {
        settings: server.settings,
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
