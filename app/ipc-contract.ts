// The desktop-only surface: what a browser cannot do
// (docs/architecture.md#the-dashboard-talks-to-the-hub-over-http). The dashboard reaches it as `window.lanboardDesktop`; main, the preload and the
// dashboard share these names and types, so a channel is never a raw string.

export const DESKTOP_API_NAME = 'lanboardDesktop';

export const CHANNELS = {
  adminConnection: 'lanboard:admin-connection',
  pickFile: 'lanboard:pick-file',
  openLogsFolder: 'lanboard:open-logs-folder',
  getAutostart: 'lanboard:get-autostart',
  setAutostart: 'lanboard:set-autostart',
  networkStatus: 'lanboard:network-status',
  allowThroughFirewall: 'lanboard:allow-through-firewall',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** The files Settings lets the teacher pick: the TLS certificate and its key. */
export type FileKind = 'cert' | 'key';

/** Where the dashboard's admin API is, and its token: never put in a URL. */
export interface AdminConnection {
  /** The dashboard's base, `http(s)://127.0.0.1:<port><AdminPath>/`. */
  url: string;
  token: string;
}

/**
 * What Windows decides about students reaching this computer
 * (app/windows-network.ts); null on other systems.
 */
export interface NetworkStatus {
  /** Connected networks Windows treats as Public: incoming connections are blocked there. */
  publicNetworks: string[];
  /** Lanboard on the other networks: allowed, blocked by a rule, no rule, or unreadable. */
  firewall: 'allowed' | 'blocked' | 'missing' | 'unknown';
}

export interface FirewallChange {
  ok: boolean;
  /** For the teacher: what happened. */
  message: string;
}

export interface DesktopApi {
  adminConnection(): Promise<AdminConnection>;
  /** An absolute path, or null when the dialog was cancelled. */
  pickFile(kind: FileKind): Promise<string | null>;
  openLogsFolder(): Promise<void>;
  /** Whether Lanboard starts (to the tray) when the user logs in. */
  getAutostart(): Promise<boolean>;
  /** Returns the state now in effect. */
  setAutostart(enabled: boolean): Promise<boolean>;
  networkStatus(): Promise<NetworkStatus | null>;
  /** Adds Lanboard's firewall rule, through the administrator prompt (Windows). */
  allowThroughFirewall(): Promise<FirewallChange>;
}
