// GET <admin>/api/snapshot: the server, and every live session of every
// protocol from the session registry, with their clients and traffic.
import { hubVersion } from '../config/version';
import { formatPermissions } from '../hub/permissions';
import type { ClientInfo, RoomInfo, SessionRegistry } from '../hub/registry';
import { addTraffic, emptyTraffic } from '../transport/traffic';
import type { Traffic } from '../transport/traffic';
import type { ClientView, SessionView, Snapshot } from './api-types';
import type { AdminContext } from './context';

export const sessionId = (protocol: string, room: string): string => `${protocol}:${room}`;

/** `zwibbler:doc:1` -> zwibbler, doc:1 (protocol names hold no colon). */
export function parseSessionId(id: string): { protocol: string; room: string } | undefined {
  const colon = id.indexOf(':');
  return colon > 0 ? { protocol: id.slice(0, colon), room: id.slice(colon + 1) } : undefined;
}

export function clientView(info: ClientInfo, traffic: Readonly<Traffic> | undefined): ClientView {
  const t = traffic ?? emptyTraffic();
  return {
    id: info.id,
    protocol: info.protocol,
    remoteAddress: info.remoteAddress,
    user: info.displayName ?? info.userId,
    permissions: formatPermissions(info.permissions),
    connectedAt: info.connectedAt,
    bytesIn: t.bytesIn,
    bytesOut: t.bytesOut,
    lastActivity: Math.max(t.lastActivity, info.connectedAt),
  };
}

export function sessionViews(registry: SessionRegistry): SessionView[] {
  const byRoom = new Map<string, { room: RoomInfo; clients: ClientView[]; sum: Traffic }>();
  for (const room of registry.rooms()) {
    byRoom.set(sessionId(room.protocol, room.name), { room, clients: [], sum: emptyTraffic() });
  }
  for (const info of registry.clients()) {
    const entry = byRoom.get(sessionId(info.protocol, info.room));
    if (!entry) continue;
    const traffic = registry.traffic(info.id);
    entry.clients.push(clientView(info, traffic));
    if (traffic) addTraffic(entry.sum, traffic);
  }
  return [...byRoom.entries()].map(([id, { room, clients, sum }]) => ({
    id,
    protocol: room.protocol,
    name: room.name,
    clients,
    bytes: sum.bytesIn + sum.bytesOut,
    bytesIn: sum.bytesIn,
    bytesOut: sum.bytesOut,
    messages: sum.messagesIn + sum.messagesOut,
    createdAt: room.openedAt,
    lastActivity: Math.max(room.openedAt, sum.lastActivity),
  }));
}

export async function snapshot(ctx: AdminContext): Promise<Snapshot> {
  const { config, registry, host } = ctx;
  const server = ctx.server();
  const sessions = sessionViews(registry);
  const overrides: Record<string, 'env' | 'flag'> = {};
  for (const [key, origin] of Object.entries(host.origins)) {
    if (origin === 'env' || origin === 'flag') overrides[key] = origin;
  }
  const join = await ctx.joinInfo().catch(() => undefined);
  const stats = registry.stats();
  const totals = {
    sessions: stats.rooms,
    clients: stats.clients,
    connections: server.connections,
    bytes: sessions.reduce((n, s) => n + s.bytes, 0),
    byProtocol: stats.byProtocol,
  };
  return {
    server: {
      version: hubVersion(),
      startedAt: server.startedAt,
      uptimeMs: Date.now() - server.startedAt,
      bind: { address: config.ServerBindAddress, port: server.address.port },
      tls: server.tls,
      database: {
        kind: ctx.store.kind,
        file: ctx.store.kind === 'sqlite' ? config.DbFile : undefined,
      },
      mdns: { enabled: config.Mdns, name: join?.mdnsName ?? null },
      join: join && {
        urls: join.urls,
        preferredUrl: join.preferredUrl,
        localUrl: join.localUrl,
        loopbackOnly: join.loopbackOnly,
        qrSvg: join.qrSvg,
      },
      dataDir: config.DataDir,
      configFile: host.configFile,
      canRestart: host.restart !== undefined,
      overrides,
      lanClientSeen: ctx.lanClientSeen(),
      adminPath: config.AdminPath,
    },
    sessions,
    totals,
  };
}
