// What every store on a database server's pool (PostgreSQL, MariaDB) starts
// from: the hub's pool, whose connections it borrows, and the clock its times
// come from. The pool belongs to the hub's backend, which closes it.
import type { StoreOptions } from './types';

export abstract class PooledStore<Db> {
  protected readonly now: () => number;

  constructor(
    protected readonly db: Db,
    options: StoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async close(): Promise<void> {
    // Nothing of its own to close: the backend closes the pool.
  }
}
