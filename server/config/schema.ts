// The one config schema (docs/architecture.md#one-config-schema). Keys keep
// the zwibbler.conf names so an existing zwibbler.conf works unchanged;
// Lanboard's own keys sit beside them. This table drives the file, the LANBOARD_* environment, the flags, the
// validation messages and the table in docs/configuration.md.
import {
  bindAddress,
  boolean,
  expiration,
  integer,
  mountPath,
  oneOf,
  optionalUrl,
  text,
} from './values';
import type { CallbackType, IceServer } from './values';
import { LOG_FORMATS, LOG_LEVELS } from '../log/logger';
import { defaultDataDir } from './paths';
import { LIMIT_SETTINGS } from './limit-settings';
import { PROTOCOL_SETTINGS } from './protocol-settings';
import { setting } from './setting';
import type { Setting } from './setting';

export const DATABASES = ['sqlite', 'memory', 'redis', 'postgresql', 'mariadb'] as const;
/**
 * zwibbler.conf's and zwibbler-service's other spellings: `redis-cluster` also
 * sets DbCluster (config/load.ts says so in a warning); `mysql` is the same
 * store as `mariadb` (one driver and schema serve both servers).
 */
/** libpq's sslmode values that node-postgres can honour (it cannot fall back, so no prefer or allow). */
export const DB_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

export const DATABASE_SPELLINGS = {
  postgres: 'postgresql',
  'redis-cluster': 'redis',
  mysql: 'mariadb',
} as const;

/** Each database server's own port, for DbServer's default. */
const DEFAULT_DB_SERVER: Partial<Record<(typeof DATABASES)[number], string>> = {
  postgresql: 'localhost:5432',
  mariadb: 'localhost:3306',
};

export interface HubConfig {
  ServerBindAddress: string;
  ServerPort: number;
  CertFile: string;
  KeyFile: string;
  Compression: boolean;
  Database: (typeof DATABASES)[number];
  DbFile: string;
  DbSynchronous: 'normal' | 'full';
  DbStartDamaged: boolean;
  DbCheckWaitSeconds: number;
  BackupIntervalSeconds: number;
  BackupsKept: number;
  DbServer: string;
  DbCluster: boolean;
  DbUser: string;
  DbPassword: string;
  DbName: string;
  DbSslMode: (typeof DB_SSL_MODES)[number];
  DbPoolSize: number;
  DbQueryTimeoutSeconds: number;
  Expiration: number | 'never';
  ExpirationSweepSeconds: number;
  SecretUser: string;
  SecretPassword: string;
  Webhook: string;
  WebhookSendCredentials: boolean;
  WebhookSecret: string;
  WebhookDelaySeconds: number;
  WebhookRetries: number;
  JWTKey: string;
  JWTKeyIsBase64: boolean;
  JWTClockSkewSeconds: number;
  LoginFailureLimit: number;
  LoginLockoutSeconds: number;
  TokenFailuresPerMinute: number;
  AllowedOrigins: string;
  CertReloadSeconds: number;
  MaxFiles: number;
  DataDir: string;
  LogLevel: (typeof LOG_LEVELS)[number];
  LogFormat: (typeof LOG_FORMATS)[number];
  Mdns: boolean;
  MdnsName: string;
  MdnsInterface: string;
  AdminToken: string;
  AdminAllowRemote: boolean;
  AdminPath: string;
  UpdateCheck: boolean;
  YjsPath: string;
  YjsMaxUpdateBytes: number;
  YjsMaxUpdateStructs: number;
  YjsMaxRoomBytes: number;
  YjsMaxLiveBytes: number;
  YjsMaxRoomStructs: number;
  YjsMaxLiveStructs: number;
  YjsMaxRooms: number;
  YjsCompactUpdates: number;
  YjsCompactBytes: number;
  YjsCallbackURL: string;
  YjsCallbackDebounceMs: number;
  YjsCallbackMaxWaitMs: number;
  YjsCallbackTimeoutMs: number;
  YjsCallbackObjects: Record<string, CallbackType>;
  YjsCallbackMaxQueuedBytes: number;
  ClassMaxMembers: number;
  ClassCodeAttemptsPerMinute: number;
  ClassStreamsPerMember: number;
  ClassOpenRooms: boolean;
  ZwibblerPath: string;
  SignalPath: string;
  RtcBasePath: string;
  RtcPageDir: string;
  RtcTokenKey: string;
  RtcTokenSeconds: number;
  RtcPeersPerMinute: number;
  RtcMaxPeersPerRoom: number;
  RtcResumeBytesPerPeer: number;
  RtcResumeBytes: number;
  IceServers: IceServer[];
  SignalMaxMessageBytes: number;
  SignalMessagesPerSecond: number;
  ChatPath: string;
  ChatMaxMessageChars: number;
  WorkspacesPath: string;
  WorkspaceCapacity: number;
  WorkspacesPerHour: number;
  WorkspaceExpiration: number | 'never';
  MaxMessageBytes: number;
  MaxDocumentBytes: number;
  MaxLiveDocumentBytes: number;
  MaxQueuedBytes: number;
  InboundBurstBytes: number;
  InboundBytesPerSecond: number;
  InboundAddressBurstBytes: number;
  InboundAddressBytesPerSecond: number;
  MaxKeysPerDocument: number;
  MaxKeyBytes: number;
  MaxDocumentKeyBytes: number;
  KeepaliveSeconds: number;
  InitTimeoutSeconds: number;
  MaxConnections: number;
  MaxConnectionsPerAddress: number;
  NewConnectionsPerSecond: number;
  HeadersTimeoutSeconds: number;
  RequestTimeoutSeconds: number;
  IdleTimeoutSeconds: number;
}

export type ConfigKey = keyof HubConfig;
export type { Setting } from './setting';

export const SETTINGS: Setting[] = [
  setting({
    key: 'ServerBindAddress',
    parse: bindAddress,
    default: '0.0.0.0',
    doc: 'Address to listen on. 127.0.0.1 keeps the hub to this computer.',
  }),
  setting({
    key: 'ServerPort',
    parse: integer(0, 65535),
    default: 3000,
    doc: 'TCP port for every protocol (0 picks a free one).',
  }),
  setting({
    key: 'CertFile',
    parse: text,
    default: '',
    doc: 'PEM certificate; with KeyFile the hub serves HTTPS and WSS.',
  }),
  setting({ key: 'KeyFile', parse: text, default: '', doc: 'PEM private key for CertFile.' }),
  setting({
    key: 'Compression',
    parse: boolean,
    default: true,
    doc: 'permessage-deflate for WebSocket clients that offer it. `?compression=0` on a Zwibbler URL turns it off for that connection.',
  }),
  setting({
    key: 'Database',
    parse: oneOf(DATABASES, DATABASE_SPELLINGS),
    default: 'sqlite',
    doc: '`sqlite` (one file, the default), `memory` (lost on exit; for tests), `redis` (shared by several hubs: see "Running several hubs"), `postgresql` (a PostgreSQL server IT already runs: see "PostgreSQL" in docs/operating.md), or `mariadb` (a MariaDB or MySQL server: see "MariaDB and MySQL" in docs/operating.md). zwibbler-service\'s spellings work too: `postgres`, `mysql` for `mariadb`, and `redis-cluster` for `redis` with DbCluster=1.',
  }),
  setting({
    key: 'DataDir',
    parse: text,
    default: () => defaultDataDir(),
    defaultText: 'the platform data folder (see below)',
    doc: 'Where the database and other state live.',
  }),
  setting({
    key: 'DbFile',
    parse: text,
    default: (c) => `${c.DataDir}/lanboard.db`,
    defaultText: '`<DataDir>/lanboard.db`',
    doc: 'The SQLite file.',
  }),
  setting({
    key: 'DbSynchronous',
    parse: oneOf(['normal', 'full'] as const),
    default: 'normal',
    doc: '`normal`: an acknowledged write survives a crash of Lanboard. `full`: it also survives a power cut, at one disk flush per write.',
  }),
  setting({
    key: 'DbStartDamaged',
    parse: boolean,
    default: false,
    doc: 'Start even when the integrity check at start finds the SQLite file damaged (`lanboard serve --start-damaged`). The hub then serves what it can still read, and /healthz answers 503 until the file is restored.',
  }),
  setting({
    key: 'DbCheckWaitSeconds',
    parse: integer(0, 3600),
    default: 3,
    doc: 'How long the start waits for the integrity check of the SQLite file; a damage found by then stops the start (see DbStartDamaged). A check that takes longer goes on in the background while the hub serves; a damage it finds then makes /healthz answer 503 and the file take no more writes. `0`: never wait.',
  }),
  setting({
    key: 'BackupIntervalSeconds',
    parse: integer(0, 31_536_000),
    default: 86_400,
    doc: 'How often the hub backs its SQLite file up into `backups/` beside it, counted from the newest backup there; `0` for never. A backup is also taken before every schema migration.',
  }),
  setting({
    key: 'BackupsKept',
    parse: integer(1, 10_000),
    default: 7,
    doc: 'How many scheduled backups (and `lanboard backup` ones) to keep; older ones are deleted. Backups taken before a migration are kept.',
  }),
  setting({
    key: 'DbServer',
    parse: text,
    default: (c) => (c.Database && DEFAULT_DB_SERVER[c.Database]) || 'localhost:6379',
    defaultText:
      '`localhost:6379`, or `localhost:5432` with Database=postgresql, `localhost:3306` with Database=mariadb',
    doc: "The Redis server as `host:port` (Database=redis); with DbCluster=1, a comma-separated list of cluster nodes. With Database=postgresql, the PostgreSQL server as `host:port` (5432 when left out), or the folder of its socket (`/var/run/postgresql`). With Database=mariadb, the MariaDB or MySQL server as `host:port` (3306 when left out, as zwibserve's driver takes it), or the path of its socket (`/run/mysqld/mysqld.sock`).",
    aliases: ['RedisServer'],
  }),
  setting({
    key: 'DbCluster',
    parse: boolean,
    default: false,
    doc: 'DbServer is a Redis Cluster (its keys are hash-tagged per document, so each script stays on one node).',
  }),
  setting({
    key: 'DbUser',
    parse: text,
    default: '',
    doc: 'The Redis user (Database=redis, with Redis ACLs); empty for the default user. With Database=postgresql, the PostgreSQL user (empty: the name of the user the hub runs as); with Database=mariadb, the MariaDB or MySQL user.',
  }),
  setting({
    key: 'DbPassword',
    parse: text,
    default: '',
    doc: "The Redis password (Database=redis), or the database user's (Database=postgresql or mariadb).",
    secret: true,
    aliases: ['RedisPassword'],
  }),
  setting({
    key: 'DbName',
    parse: text,
    default: 'zwibbler',
    doc: 'The PostgreSQL, MariaDB or MySQL database (Database=postgresql or mariadb). zwibbler-service always uses `zwibbler`.',
  }),
  setting({
    key: 'DbSslMode',
    parse: oneOf(DB_SSL_MODES, {}, ['prefer', 'allow']),
    default: 'disable',
    doc: "TLS to PostgreSQL, with libpq's names: `disable` (as zwibserve connects), `require` (encrypted, the certificate not checked), `verify-ca` (signed by a CA Node trusts; add one with NODE_EXTRA_CA_CERTS), `verify-full` (that, and its name matches DbServer's host).",
  }),
  setting({
    key: 'DbPoolSize',
    parse: integer(1, 200),
    default: 10,
    doc: "Connections each hub keeps to PostgreSQL or MariaDB for its stores; with several hubs on PostgreSQL, each also keeps two for the bus, and on MariaDB one more holds the hub lock. Their sum must stay below the server's max_connections.",
  }),
  setting({
    key: 'DbQueryTimeoutSeconds',
    parse: integer(1, 3600),
    default: 15,
    doc: 'A PostgreSQL or MariaDB query that takes longer fails, as a storage fault the clients are told of, rather than leaving them waiting on a server that hangs.',
  }),
  setting({
    key: 'Expiration',
    parse: expiration,
    default: 'never',
    doc: 'Delete documents, and stored tokens, not accessed for this many seconds, or `never`. A document with connected clients is never deleted.',
  }),
  setting({
    key: 'ExpirationSweepSeconds',
    parse: integer(0, 86_400),
    default: 0,
    defaultText: '`0` (a quarter of Expiration, 1 s to 1 h)',
    doc: 'How often expired documents and tokens are looked for. Each sweep that deletes something is logged.',
  }),
  setting({
    key: 'SecretUser',
    parse: text,
    default: '',
    doc: 'Management API user (the API answers 401 until both are set).',
  }),
  setting({
    key: 'SecretPassword',
    parse: text,
    default: '',
    doc: 'Management API password.',
    secret: true,
  }),
  setting({
    key: 'Webhook',
    parse: optionalUrl,
    default: '',
    doc: 'URL told when a document goes idle.',
  }),
  setting({
    key: 'WebhookSendCredentials',
    parse: boolean,
    default: true,
    doc: 'Send SecretUser/SecretPassword to the webhook as Basic auth, as zwibbler-service does. This hands the management password to whoever runs the webhook URL: set 0 and use WebhookSecret instead when you can.',
  }),
  setting({
    key: 'WebhookSecret',
    parse: text,
    default: '',
    doc: 'When set, every call of the Zwibbler webhook and of the Yjs change callback carries `X-Lanboard-Signature: sha256=<hex>`, the HMAC-SHA256 of the body with this key.',
    secret: true,
  }),
  setting({
    key: 'WebhookDelaySeconds',
    parse: integer(0, 86_400),
    default: 10,
    doc: 'How long a document must stay without clients before `idle-session` is sent.',
  }),
  setting({
    key: 'WebhookRetries',
    parse: integer(0, 20),
    default: 5,
    doc: 'Retries after a failed webhook call (network error, timeout or 5xx), with exponential backoff from 1 s.',
  }),
  setting({
    key: 'JWTKey',
    parse: text,
    default: '',
    doc: 'HMAC key for JWT mode. When set, a client must present a stored token or a valid JWT; a plain document ID is refused.',
    secret: true,
  }),
  setting({
    key: 'JWTKeyIsBase64',
    parse: boolean,
    default: false,
    doc: 'JWTKey is base64.',
  }),
  setting({
    key: 'JWTClockSkewSeconds',
    parse: integer(0, 3600),
    default: 30,
    doc: 'How far `exp`, `nbf` and `iat` may be off between the token issuer and this computer.',
  }),
  setting({
    key: 'LoginFailureLimit',
    parse: integer(1, 1000),
    default: 5,
    doc: 'Failed management API logins from one address before it is refused with 429.',
  }),
  setting({
    key: 'LoginLockoutSeconds',
    parse: integer(1, 86_400),
    default: 60,
    doc: 'How long an address stays refused after too many failed logins.',
  }),
  setting({
    key: 'TokenFailuresPerMinute',
    parse: integer(1, 1_000_000),
    default: 60,
    doc: "Failed tokens from one address, every protocol's together (Yjs `?token=`, SSE signaling tokens, class tokens, Zwibbler stored tokens and JWTs), in bursts up to that many: a class of 60 devices with stale tokens can all fail at once. Past it the address's tokens are refused unchecked (429, or a close 1008) until it refills; good tokens cost nothing.",
  }),
  setting({
    key: 'AllowedOrigins',
    parse: text,
    default: '',
    defaultText: '(empty: any origin, no CORS)',
    doc: 'Comma-separated web origins (such as `https://school.example`) allowed to open WebSockets and to call the HTTP API from a browser; `*` allows any. Empty accepts WebSockets from any origin, as zwibbler-service does, and sends no CORS headers.',
  }),
  setting({
    key: 'CertReloadSeconds',
    parse: integer(0, 86_400),
    default: 10,
    doc: 'How often CertFile and KeyFile are checked for changes; a changed pair is loaded without a restart. 0 turns this off.',
  }),
  setting({
    key: 'MaxFiles',
    parse: integer(0, 10_000_000),
    default: 0,
    doc: 'The open-file limit you expect. Node cannot raise its own limit, so when this is above it the hub logs the current soft and hard limits at start; raise them with `ulimit -n` or `LimitNOFILE=` in the systemd unit. 0 skips the check.',
  }),
  setting({
    key: 'LogLevel',
    parse: oneOf(LOG_LEVELS),
    default: 'info',
    doc: 'One of fatal, error, warn, info, debug, trace, silent.',
  }),
  setting({
    key: 'LogFormat',
    parse: oneOf(LOG_FORMATS),
    default: 'auto',
    doc: '`auto`: readable lines on a terminal and JSON lines anywhere else (journald, a file, a pipe); `pretty` or `json` to choose. The dashboard keeps every line either way. `--log-format` sets it.',
  }),
  setting({
    key: 'Mdns',
    parse: boolean,
    default: true,
    doc: 'Advertise the hub on the LAN over mDNS/DNS-SD: `_lanboard._tcp`, and `_http._tcp` (`_https._tcp` with TLS) for the join page. `--no-mdns` turns it off.',
  }),
  setting({
    key: 'MdnsName',
    parse: text,
    default: '',
    defaultText: '(empty: "Lanboard on <hostname>")',
    doc: 'The advertised instance name. A name already taken on the network gets " (2)", " (3)", … appended.',
  }),
  setting({
    key: 'MdnsInterface',
    parse: text,
    default: '',
    defaultText: '(empty: the interface of the default route)',
    doc: 'Advertise on this interface only: its IPv4 address (for example `192.168.1.10`) or its name (`eth0`). While the machine has no such interface the hub does not advertise.',
  }),
  setting({
    key: 'AdminToken',
    parse: text,
    default: '',
    defaultText: '(empty: generated and kept in `<DataDir>/admin-token`)',
    doc: 'Bearer token for the dashboard and its admin API.',
    secret: true,
  }),
  setting({
    key: 'AdminAllowRemote',
    parse: boolean,
    default: false,
    doc: 'Let the admin API answer requests from other machines (the token is still required). Off: loopback callers only.',
  }),
  setting({
    key: 'AdminPath',
    parse: mountPath,
    default: '/admin',
    doc: 'Mount path of the dashboard; its API is under `<AdminPath>/api/`.',
  }),
  setting({
    key: 'UpdateCheck',
    parse: boolean,
    default: true,
    doc: 'Desktop app only: once a day, look for a newer Lanboard release on GitHub and offer it to the teacher, never while devices are connected. 0 turns it off (IT: `LANBOARD_UPDATE_CHECK=0`).',
  }),
  ...PROTOCOL_SETTINGS,
  ...LIMIT_SETTINGS,
];

export const SETTING_BY_KEY = new Map<string, Setting>(SETTINGS.map((s) => [s.key, s]));
for (const s of SETTINGS) for (const a of s.aliases ?? []) SETTING_BY_KEY.set(a, s);

/** LANBOARD_SERVER_PORT for ServerPort, LANBOARD_JWT_KEY for JWTKey. */
export function envName(key: string): string {
  return (
    'LANBOARD_' +
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .toUpperCase()
  );
}
