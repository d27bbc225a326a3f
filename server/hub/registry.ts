// The protocol-agnostic session registry: which rooms (Zwibbler documents, Yjs
// rooms, signaling topics…) are live, who is in them, and the controls the
// dashboard and the management API need (kick, live permission changes, stats).
// Every protocol registers its clients here; nothing here knows a wire format.
import { EventEmitter } from 'node:events';
import type { Permissions } from './permissions';

export interface ClientInfo {
  id: string;
  protocol: string;
  room: string;
  remoteAddress: string;
  userId: string;
  /** How people know the user, when the protocol knows better than its ID (a class member's name). */
  displayName?: string;
  permissions: Permissions;
  /** Unix milliseconds. */
  connectedAt: number;
}

/** A connection's live counters, as the transport keeps them. */
export interface ClientTraffic {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Unix milliseconds of the last message either way (0: none yet). */
  readonly lastActivity: number;
}

/** What the registry may ask of a client; the protocol decides how. */
export interface ClientControl {
  kick(reason: string): void;
  /** Applies at once. Losing `read` disconnects the client. */
  setPermissions(permissions: Permissions): void;
  /** The connection's live counters (ClientSocket.traffic), read when the dashboard asks. */
  readonly traffic?: ClientTraffic;
}

export interface RoomInfo {
  protocol: string;
  name: string;
  clients: number;
  openedAt: number;
}

export interface ProtocolStats {
  rooms: number;
  clients: number;
}

export interface RegistryStats extends ProtocolStats {
  byProtocol: Record<string, ProtocolStats>;
}

export interface RegistryEvents {
  'client-added': [ClientInfo];
  'client-removed': [ClientInfo];
  'room-opened': [RoomInfo];
  'room-closed': [RoomInfo];
  'permissions-changed': [ClientInfo];
  /** The client now goes by another user name (a chat name chosen after connecting). */
  'user-changed': [ClientInfo];
}

interface Entry {
  info: ClientInfo;
  control: ClientControl;
}

interface Room {
  info: RoomInfo;
  clients: Set<string>;
}

const roomKey = (protocol: string, name: string): string => `${protocol}\u0000${name}`;

export class SessionRegistry extends EventEmitter<RegistryEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly roomsByKey = new Map<string, Room>();
  private counter = 0;

  /** Process-wide client IDs, in hex as the reference prints them. */
  nextClientId(): string {
    return (++this.counter).toString(16);
  }

  /** Registers a connected client; the returned function removes it. */
  add(info: ClientInfo, control: ClientControl): () => void {
    if (this.entries.has(info.id)) throw new Error(`client ${info.id} is already registered`);
    const stored: ClientInfo = { ...info, permissions: { ...info.permissions } };
    this.entries.set(info.id, { info: stored, control });
    const key = roomKey(info.protocol, info.room);
    let room = this.roomsByKey.get(key);
    if (!room) {
      room = {
        info: { protocol: info.protocol, name: info.room, clients: 0, openedAt: Date.now() },
        clients: new Set(),
      };
      this.roomsByKey.set(key, room);
      this.emit('room-opened', { ...room.info });
    }
    room.clients.add(info.id);
    room.info.clients = room.clients.size;
    this.emit('client-added', { ...stored });
    return () => this.remove(info.id);
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const key = roomKey(entry.info.protocol, entry.info.room);
    const room = this.roomsByKey.get(key);
    if (room) {
      room.clients.delete(id);
      room.info.clients = room.clients.size;
      if (room.clients.size === 0) {
        this.roomsByKey.delete(key);
        this.emit('room-closed', { ...room.info });
      }
    }
    this.emit('client-removed', entry.info);
  }

  client(id: string): ClientInfo | undefined {
    const e = this.entries.get(id);
    return e && { ...e.info };
  }

  clients(filter?: { protocol?: string; room?: string; userId?: string }): ClientInfo[] {
    const out: ClientInfo[] = [];
    for (const { info } of this.entries.values()) {
      if (filter?.protocol !== undefined && info.protocol !== filter.protocol) continue;
      if (filter?.room !== undefined && info.room !== filter.room) continue;
      if (filter?.userId !== undefined && info.userId !== filter.userId) continue;
      out.push({ ...info });
    }
    return out;
  }

  rooms(protocol?: string): RoomInfo[] {
    const out: RoomInfo[] = [];
    for (const room of this.roomsByKey.values()) {
      if (protocol === undefined || room.info.protocol === protocol) out.push({ ...room.info });
    }
    return out;
  }

  /** A client's message and byte counters, if its protocol keeps them. */
  traffic(id: string): ClientTraffic | undefined {
    return this.entries.get(id)?.control.traffic;
  }

  kick(id: string, reason: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.control.kick(reason);
    return true;
  }

  kickRoom(protocol: string, room: string, reason: string): number {
    const ids = [...(this.roomsByKey.get(roomKey(protocol, room))?.clients ?? [])];
    for (const id of ids) this.kick(id, reason);
    return ids.length;
  }

  setClientPermissions(id: string, permissions: Permissions): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.info.permissions = { ...permissions };
    this.emit('permissions-changed', { ...entry.info });
    entry.control.setPermissions({ ...permissions });
    return true;
  }

  /** Names the user behind a connected client, for protocols that learn it after connecting. */
  setUserId(id: string, userId: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.info.userId = userId;
    this.emit('user-changed', { ...entry.info });
    return true;
  }

  /** Applies new permissions to every connected client of a user; returns how many. */
  setUserPermissions(userId: string, permissions: Permissions): number {
    const ids = [...this.entries.values()]
      .filter((e) => e.info.userId === userId)
      .map((e) => e.info.id);
    for (const id of ids) this.setClientPermissions(id, permissions);
    return ids.length;
  }

  stats(): RegistryStats {
    const byProtocol: Record<string, ProtocolStats> = {};
    for (const room of this.roomsByKey.values()) {
      const s = (byProtocol[room.info.protocol] ??= { rooms: 0, clients: 0 });
      s.rooms++;
      s.clients += room.clients.size;
    }
    return { rooms: this.roomsByKey.size, clients: this.entries.size, byProtocol };
  }
}
