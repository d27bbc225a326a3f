// Rows read from a database server (PostgreSQL, MariaDB) turned into what the
// store contracts return, the same way for both: a workspace, a Yjs room, the
// owners of Yjs client IDs.
import type { StoredRoom } from './yjs-store';
import type { WorkspaceRecord } from './workspace-store';

/** A workspace's row, with its columns named as the record's fields. */
export interface WorkspaceRow {
  id: string;
  name: string;
  avatar: string;
  owner: string;
  created: number;
  pinSalt: Buffer;
  pinHash: Buffer;
  tokenKey: Buffer;
  callJson: string | null;
}

/** Copies of the bytes: a record outlives the driver's buffers. */
export const workspaceRecord = ({ callJson, ...r }: WorkspaceRow): WorkspaceRecord => ({
  ...r,
  pinSalt: Uint8Array.from(r.pinSalt),
  pinHash: Uint8Array.from(r.pinHash),
  tokenKey: Uint8Array.from(r.tokenKey),
  call: callJson === null ? null : (JSON.parse(callJson) as unknown),
});

/** A workspace's call as its column keeps it: JSON, or NULL for none. */
export const callJson = (call: unknown): string | null =>
  call === undefined || call === null ? null : JSON.stringify(call);

/** One stored Yjs update of a room. */
export interface UpdateRow {
  seq: number;
  data: Buffer;
}

/** A room's update rows, in order, as a load returns them. */
export const roomOf = (rows: readonly UpdateRow[]): StoredRoom => ({
  updates: rows.map(({ data }) => new Uint8Array(data.buffer, data.byteOffset, data.length)),
  lastSeq: rows.at(-1)?.seq ?? 0,
  bytes: rows.reduce((sum, { data }) => sum + data.length, 0),
});

/** Which member a Yjs client ID of a room belongs to. */
export interface OwnerRow {
  clientId: number;
  memberId: string;
}

/** Owner rows as the map a class store returns. */
export const ownersOf = (rows: readonly OwnerRow[]) =>
  new Map(rows.map((r) => [r.clientId, r.memberId]));

/** A claim's answer: each client ID asked about, with the member that owns it now. */
export function claimed(
  clientIds: readonly number[],
  rows: readonly OwnerRow[],
): Map<number, string> {
  const owners = ownersOf(rows);
  return new Map(clientIds.map((id) => [id, owners.get(id)!]));
}
