// What an upgrade fixture (server/test/fixtures/schema-<n>/fixture.json)
// says its database holds, and the credentials to ask for it with. Written by
// scripts/upgrade-fixture.ts, read by upgrade.test.ts.

export interface UpgradeFixture {
  /** The schema version (PRAGMA user_version) the database was written at. */
  schema: number;
  writtenBy: string;
  zwibbler: {
    document: string;
    /** A stored token with `rw` on the document, expiring in 2100. */
    token: string;
    contents: string;
    key: { name: string; value: string; version: number };
  };
  yjs: { room: string; text: string };
  class: {
    code: string;
    title: string;
    teacherToken: string;
    student: { name: string; token: string };
    /** The IDs of the strokes on its board. */
    shapes: string[];
  };
  workspace: { id: string; name: string; owner: string; invite: string; pin: string };
}
