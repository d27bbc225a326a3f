// Where each setting sits on the dashboard's Settings page: its group, a label
// in words, and the unit a person types it in; or, for the few the page leaves
// to the config file, why. Typed by ConfigKey, so a new setting does not
// compile until it is placed here (and settings-layout.test.ts says so too).
import type { ConfigKey } from '../config/schema';
import type { SettingGroup, SettingUnit } from './api-types';

export interface OnPage {
  group: SettingGroup;
  label: string;
  unit?: SettingUnit;
}

export interface FileOnly {
  /** Why the page does not offer it, shown nowhere but here and in the docs. */
  fileOnly: string;
}

const net = (label: string, unit?: SettingUnit): OnPage => ({
  group: 'Network and discovery',
  label,
  unit,
});
const security = (label: string, unit?: SettingUnit): OnPage => ({
  group: 'Security',
  label,
  unit,
});
const classes = (label: string, unit?: SettingUnit): OnPage => ({ group: 'Classes', label, unit });
const storage = (label: string, unit?: SettingUnit): OnPage => ({ group: 'Storage', label, unit });
const logging = (label: string): OnPage => ({ group: 'Logging', label });
const advanced = (label: string, unit?: SettingUnit): OnPage => ({
  group: 'Advanced',
  label,
  unit,
});

export const SETTING_LAYOUT: Record<ConfigKey, OnPage | FileOnly> = {
  ServerBindAddress: net('Listen on address'),
  ServerPort: net('Port'),
  Mdns: net('Announce the hub on the network (mDNS)'),
  MdnsName: net('Name shown on the network'),
  MdnsInterface: net('Announce on this network interface only'),
  AllowedOrigins: net('Web pages allowed to connect (origins)'),
  CertFile: security('HTTPS certificate file'),
  KeyFile: security('HTTPS private key file'),
  CertReloadSeconds: security('Check the certificate files for changes every', 'seconds'),
  AdminAllowRemote: security('Open the dashboard to other computers'),
  SecretUser: security('Management API user'),
  SecretPassword: security('Management API password'),
  JWTKey: security('JWT signing key'),
  JWTKeyIsBase64: security('The JWT key is base64'),
  JWTClockSkewSeconds: security('Allowed clock difference for JWTs', 'seconds'),
  LoginFailureLimit: security('Wrong logins before an address is locked out'),
  LoginLockoutSeconds: security('Lockout after too many wrong logins', 'seconds'),
  TokenFailuresPerMinute: security('Wrong tokens allowed per address per minute'),
  RtcTokenKey: security('Key for WebRTC signaling tokens'),
  RtcTokenSeconds: security('WebRTC signaling tokens last', 'seconds'),
  ClassMaxMembers: classes('Most members in one class'),
  ClassCodeAttemptsPerMinute: classes('Class codes one address may try per minute'),
  ClassStreamsPerMember: classes('Open class pages per student'),
  ClassOpenRooms: classes('Boards without a class code (open rooms)'),
  Database: storage('Where data is kept'),
  DbFile: storage('SQLite database file'),
  DbSynchronous: storage('Write safety'),
  BackupIntervalSeconds: storage('Back up the database every', 'seconds'),
  BackupsKept: storage('Backups kept'),
  DbStartDamaged: storage('Start even when the database is damaged'),
  DbCheckWaitSeconds: storage('Wait for the database check at start', 'seconds'),
  DbServer: storage('Redis, PostgreSQL or MariaDB server'),
  DbCluster: storage('Redis is a cluster'),
  DbUser: storage('Redis, PostgreSQL or MariaDB user'),
  DbPassword: storage('Redis, PostgreSQL or MariaDB password'),
  DbName: storage('PostgreSQL or MariaDB database'),
  DbSslMode: storage('TLS to PostgreSQL'),
  DbPoolSize: storage('Connections to PostgreSQL or MariaDB per hub'),
  DbQueryTimeoutSeconds: storage('PostgreSQL or MariaDB queries give up after', 'seconds'),
  Expiration: storage('Delete documents unused for', 'seconds'),
  ExpirationSweepSeconds: storage('Look for unused documents every', 'seconds'),
  WorkspaceExpiration: storage('Delete workspaces unused for', 'seconds'),
  YjsMaxRoomBytes: storage('Largest board', 'bytes'),
  YjsMaxLiveBytes: storage('All open boards together, at most', 'bytes'),
  YjsMaxRoomStructs: storage('Most pieces of content on one board'),
  YjsMaxLiveStructs: storage('Most pieces of content on all open boards together'),
  MaxDocumentBytes: storage('Largest Zwibbler document', 'bytes'),
  MaxLiveDocumentBytes: storage('Open Zwibbler documents kept in memory, at most', 'bytes'),
  LogLevel: logging('Log detail'),
  UpdateCheck: advanced('Check for new versions (desktop app)'),
  Compression: advanced('Compress WebSocket traffic'),
  Webhook: advanced('Webhook address'),
  WebhookSendCredentials: advanced('Send the management API login to the webhook'),
  WebhookSecret: advanced('Webhook signing secret'),
  WebhookDelaySeconds: advanced('Idle time before the webhook is told', 'seconds'),
  WebhookRetries: advanced('Webhook retries'),
  MaxFiles: advanced('Expected open-file limit'),
  ZwibblerPath: advanced('Zwibbler path'),
  SignalPath: advanced('y-webrtc signaling path'),
  RtcBasePath: advanced('WebRTC signaling (SSE) path'),
  RtcPeersPerMinute: advanced('New WebRTC peers per address per minute'),
  RtcMaxPeersPerRoom: advanced('Most peers in one WebRTC room'),
  RtcResumeBytesPerPeer: advanced('Kept for one WebRTC peer to resume', 'bytes'),
  RtcResumeBytes: advanced('Kept for every WebRTC peer to resume', 'bytes'),
  IceServers: advanced('ICE servers (JSON)'),
  SignalMaxMessageBytes: advanced('Largest signaling or chat message', 'bytes'),
  SignalMessagesPerSecond: advanced('Signaling messages per connection per second'),
  YjsPath: advanced('Board (Yjs) path'),
  YjsMaxUpdateBytes: advanced('Largest board update', 'bytes'),
  YjsMaxUpdateStructs: advanced('Most pieces of content in one board update'),
  YjsMaxRooms: advanced('Most boards in memory'),
  YjsCompactUpdates: advanced('Compact a board after this many updates'),
  YjsCompactBytes: advanced('Compact a board after this much new data', 'bytes'),
  YjsCallbackURL: advanced('Address told when a Yjs room changes'),
  YjsCallbackDebounceMs: advanced('Quiet time before that call (milliseconds)'),
  YjsCallbackMaxWaitMs: advanced('Longest wait for that call (milliseconds)'),
  YjsCallbackTimeoutMs: advanced('Deadline of that call (milliseconds)'),
  YjsCallbackObjects: advanced('What that call carries (JSON)'),
  YjsCallbackMaxQueuedBytes: advanced('Most waiting for that call', 'bytes'),
  ChatPath: advanced('Chat path'),
  ChatMaxMessageChars: advanced('Longest chat message (characters)'),
  WorkspacesPath: advanced('Workspaces (Socket.IO) path'),
  WorkspaceCapacity: advanced('Attendees per workspace'),
  WorkspacesPerHour: advanced('Workspaces one address may create per hour'),
  MaxMessageBytes: advanced('Largest Zwibbler message', 'bytes'),
  MaxQueuedBytes: advanced('Most traffic queued for a slow client', 'bytes'),
  MaxKeysPerDocument: advanced('Most keys per document'),
  MaxKeyBytes: advanced('Largest Zwibbler key', 'bytes'),
  MaxDocumentKeyBytes: advanced("A document's keys together, at most", 'bytes'),
  InboundBurstBytes: advanced('Most one connection may send at once', 'bytes'),
  InboundBytesPerSecond: advanced('Most one connection may send per second after that', 'bytes'),
  InboundAddressBurstBytes: advanced(
    'Most one address may send at once, all its connections together',
    'bytes',
  ),
  InboundAddressBytesPerSecond: advanced(
    'Most one address may send per second after that',
    'bytes',
  ),
  KeepaliveSeconds: advanced('Check connections are alive every', 'seconds'),
  InitTimeoutSeconds: advanced('Time a Zwibbler client has to start', 'seconds'),
  MaxConnections: advanced('Most connections in all'),
  MaxConnectionsPerAddress: advanced('Most connections from one address'),
  NewConnectionsPerSecond: advanced('New connections per address per second'),
  HeadersTimeoutSeconds: advanced('Time for a request’s headers', 'seconds'),
  RequestTimeoutSeconds: advanced('Time for a whole request', 'seconds'),
  IdleTimeoutSeconds: advanced('Close idle HTTP connections after', 'seconds'),
  DataDir: {
    fileOnly:
      'the folder the database, the admin token and the settings file itself live in: the app or service that runs the hub chooses it',
  },
  AdminToken: {
    fileOnly:
      'changing it from the dashboard would log this very page out; set it in the file or LANBOARD_ADMIN_TOKEN, or delete <DataDir>/admin-token for a new one',
  },
  AdminPath: {
    fileOnly:
      "the dashboard's own address: changed from the dashboard, the page would be left behind at the old one",
  },
  RtcPageDir: {
    fileOnly:
      "a folder on the hub's own machine, named by whoever copies the page there; what it holds runs with the hub's origin, so it is set where the hub is installed, not from a browser",
  },
  LogFormat: {
    fileOnly:
      "how the hub's own output (a terminal, journald) receives lines; the dashboard's Logs page reads the same lines either way",
  },
};

export function isFileOnly(entry: OnPage | FileOnly): entry is FileOnly {
  return 'fileOnly' in entry;
}
