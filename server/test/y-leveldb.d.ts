// The little of y-leveldb (a dev dependency: the import tests write real
// y-websocket folders with it) that they use. Its own types are not reachable
// through its package.json "exports".
declare module 'y-leveldb' {
  import type { Doc } from 'yjs';

  export class LeveldbPersistence {
    constructor(location: string);
    /** Resolves to the clock the update was stored under. */
    storeUpdate(docName: string, update: Uint8Array): Promise<number>;
    /** Loads the document; past 500 stored updates it merges them into one first. */
    getYDoc(docName: string): Promise<Doc>;
    getStateVector(docName: string): Promise<Uint8Array>;
    destroy(): Promise<void>;
  }
}
