// The admin API's JSON shapes, shared with the dashboard (renderer/). Types
// only, with no imports, so the browser build can use them as they are.

export interface ClientView {
  id: string;
  protocol: string;
  remoteAddress: string;
  user: string;
  /** Permission letters: `r`, `w`, `a`. */
  permissions: string;
  /** Unix milliseconds, as every time here. */
  connectedAt: number;
  bytesIn: number;
  bytesOut: number;
  lastActivity: number;
}

export interface SessionView {
  /** `<protocol>:<room>`: the id `sessions/<id>/kick` takes (URL-encoded). */
  id: string;
  protocol: string;
  name: string;
  clients: ClientView[];
  /** Bytes in and out, all clients together. */
  bytes: number;
  bytesIn: number;
  bytesOut: number;
  messages: number;
  createdAt: number;
  lastActivity: number;
}

export interface JoinView {
  urls: string[];
  preferredUrl: string;
  /** Only when the hub announces itself on mDNS and other devices can reach it. */
  localUrl: string | null;
  /** The hub listens on loopback only: students' devices cannot reach it. */
  loopbackOnly: boolean;
  qrSvg: string;
}

export interface ServerView {
  version: string;
  startedAt: number;
  uptimeMs: number;
  bind: { address: string; port: number };
  tls: boolean;
  database: { kind: string; file?: string };
  mdns: { enabled: boolean; name: string | null };
  join: JoinView | undefined;
  dataDir: string;
  configFile: string;
  canRestart: boolean;
  /** Settings whose running value comes from the environment or a flag. */
  overrides: Record<string, 'env' | 'flag'>;
  /** A client from another machine has joined since the hub started. */
  lanClientSeen: boolean;
  adminPath: string;
}

export interface Totals {
  sessions: number;
  clients: number;
  connections: number;
  bytes: number;
  byProtocol: Record<string, { rooms: number; clients: number }>;
}

export interface Snapshot {
  server: ServerView;
  sessions: SessionView[];
  totals: Totals;
}

export interface StatsSample {
  /** Unix milliseconds. */
  t: number;
  /** Open WebSocket connections. */
  connections: number;
  clients: number;
  sessions: number;
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
}

/** The chart's time ranges: GET history?range= */
export const HISTORY_RANGES = ['5m', '1h', '24h'] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export interface HistoryReply {
  range: HistoryRange;
  /** Seconds between samples: 1, or 60 for 24h (each minute's highest counts and mean rates). */
  step: number;
  /** Oldest first; only since the hub (re)started. */
  samples: StatsSample[];
}

export interface LogEntry {
  time: number;
  /** pino's number: 10 trace … 60 fatal. */
  level: number;
  levelName: string;
  msg: string;
  /** The line's other fields. */
  fields: Record<string, unknown>;
}

/** Events on GET events, by SSE event name. */
export interface AdminEvents {
  /** First on every stream: which hub this is (a new startedAt means it restarted). */
  hello: { startedAt: number; version: string };
  /** Second: the samples kept (the last hour), oldest first. */
  history: StatsSample[];
  stats: StatsSample;
  'client-added': ClientView & { session: string };
  'client-removed': ClientView & { session: string };
  'session-opened': { id: string; protocol: string; name: string; createdAt: number };
  'session-closed': { id: string; protocol: string; name: string; createdAt: number };
  log: LogEntry;
  /** Third, then on every change: the writes the hub cannot commit now ([] when none). */
  'storage-faults': StorageFaultView[];
}

/** A store that cannot take writes now (docs/operating.md#when-a-write-fails). */
export interface StorageFaultView {
  /** e.g. `Yjs room lesson-1`, `classes`, `Zwibbler documents`. */
  what: string;
  /** The error as SQLite or Redis gave it. */
  reason: string;
  /** Unix ms of the first failure. */
  since: number;
}

/** The Settings page's groups, in the order it shows them. */
export const SETTING_GROUPS = [
  'Network and discovery',
  'Security',
  'Classes',
  'Storage',
  'Logging',
  'Advanced',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];
/** What a number is typed in: seconds (picked as seconds to days) or bytes (KB to GB). */
export type SettingUnit = 'seconds' | 'bytes';

export interface SettingView {
  key: string;
  /** In words, for the page; the key is shown small beside it. */
  label: string;
  /** Undefined for a file-only setting. */
  group?: SettingGroup;
  unit?: SettingUnit;
  /** Set when the page leaves this setting to the config file: why. */
  fileOnly?: string;
  /** `never` is a value too (an expiration). */
  allowsNever?: boolean;
  doc: string;
  defaultText: string;
  secret: boolean;
  /** The raw value in the config file, or null when the file does not set it (secrets: '' when set). */
  fileValue: string | null;
  /** The running value, formatted as the file would take it (secrets: '' when set). */
  value: string;
  /** A secret has a value. */
  isSet: boolean;
  origin: 'default' | 'file' | 'env' | 'flag';
  /** The environment variable that would shadow the file. */
  envName: string;
  /** How to edit it: a yes/no, one of `choices`, or text. */
  input: 'boolean' | 'choice' | 'text';
  choices?: string[];
}

export interface ConfigView {
  file: string;
  fileExists: boolean;
  settings: SettingView[];
}

export interface ConfigUpdateReply {
  saved: boolean;
  file: string;
  /** Saved keys whose running value an environment variable or flag still overrides. */
  shadowed: Record<string, 'env' | 'flag'>;
}

export interface ConfigErrorsReply {
  error: string;
  /** One message per bad key. */
  errors: Record<string, string>;
}

export interface RestartReply {
  restarting: true;
  port: number;
  tls: boolean;
  portChanged: boolean;
  tlsChanged: boolean;
  /** The dashboard's address after the restart, as seen through this request's host. */
  url: string;
}

export interface SelftestResult {
  url: string;
  reachable: boolean;
  /** HTTP status, when it answered. */
  status?: number;
  error?: string;
  ms: number;
}

export interface SelftestReply {
  /** Each probe comes from this computer, which its own firewall does not filter. */
  results: SelftestResult[];
  /**
   * A device on the LAN has joined since the hub started: the only proof that
   * students can reach it. Until then a reachable URL was checked from this
   * computer only.
   */
  lanClientSeen: boolean;
}

// Classes (teacher and students, enforced by the hub):
//   GET    classes                          {classes: ClassSummary[]}
//   POST   classes  {title?}                201 ClassDetail
//   GET    classes/<code>                   ClassDetail
//   PATCH  classes/<code>  ClassPatch       ClassDetail (applied live)
//   DELETE classes/<code>                   {deleted: true}; everyone in it is disconnected
//   PATCH  classes/<code>/members/<id>  {viewOnly}   MemberView (applied live)
//   POST   classes/<code>/members/<id>/kick          {kicked: connections closed}
//   POST   classes/<code>/members/<id>/let-in        MemberView: a waiting student let in,
//                                                    or a removed one let back in
//   POST   classes/<code>/clear             {cleared: top-level entries removed}
// Errors are {error} with 400 (bad body), 404 (no such class or member).

export interface ClassSummary {
  code: string;
  title: string;
  createdAt: number;
  lastAccess: number;
  viewOnly: boolean;
  locked: boolean;
  joinOpen: boolean;
  /** Students may use the class's chat. */
  chatOpen: boolean;
  /** One shared board, or each student on their own (`shared` | `own`). */
  boardMode: 'shared' | 'own';
  /** Students in the class: neither removed nor waiting. */
  students: number;
  /** Open board connections, teacher included. */
  online: number;
}

export interface MemberView {
  id: string;
  name: string;
  role: 'teacher' | 'student';
  viewOnly: boolean;
  removed: boolean;
  /** Asked to join under a removed member's name or browser; the teacher has not let them in. */
  waiting: boolean;
  joinedAt: number;
  /** Open board connections of this member. */
  online: number;
}

export interface ClassDetail extends ClassSummary {
  members: MemberView[];
  /** Where students join: `<hub URL>/board/<code>`, on every LAN address. */
  join: { url: string; urls: string[]; qrSvg: string };
  /** The teacher's board on this computer, token in the fragment (never sent to a server). */
  teacherUrl: string;
}

export interface ClassPatch {
  title?: string;
  viewOnly?: boolean;
  locked?: boolean;
  joinOpen?: boolean;
  chatOpen?: boolean;
  boardMode?: 'shared' | 'own';
}
