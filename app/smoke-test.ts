// `--smoke-test`: what the release workflow runs on every installed app
// (docs/desktop.md#building-it). It checks what a teacher and the students
// need from this very install: the database answers, the board and its join
// page, the dashboard, the files each page loads, and the preload's bridge in
// the dashboard window. A page missing from the package fails here, not in a
// classroom.
import type { WebContents } from 'electron';
import type { Hub } from '../server/index';
import { adminConnection } from './hub-host';
import { desktopApi } from './preload-api';
import { DESKTOP_API_NAME } from './ipc-contract';

/** The room the board check opens; nothing is written to it. */
export const SMOKE_ROOM = 'smoke-test';
/** Only the built board's page carries it (discovery's fallback join page does not). */
const BOARD_MARKER = 'name="lanboard-yjs-path"';
const DASHBOARD_MARKER = '<title>Lanboard dashboard</title>';

export interface SmokeCheck {
  what: string;
  ok: boolean;
  /** Why it failed. */
  detail?: string;
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

async function check(what: string, run: () => Promise<string | undefined>): Promise<SmokeCheck> {
  try {
    const problem = await run();
    return problem ? { what, ok: false, detail: problem } : { what, ok: true };
  } catch (err) {
    return { what, ok: false, detail: (err as Error).message };
  }
}

/** The page answers 200 with its marker, and so does every script and style it names. */
async function checkPage(url: string, marker: string, timeoutMs: number) {
  const page = await get(url, timeoutMs);
  if (page.status !== 200) return `answered ${page.status}`;
  if (!page.text.includes(marker)) return `is not the built page (no ${marker})`;
  const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  if (assets.length === 0) return 'names no script or style';
  for (const asset of assets) {
    const res = await get(new URL(asset, url).href, timeoutMs);
    if (res.status !== 200) return `${asset} answered ${res.status}`;
  }
  return undefined;
}

/** The hub's own pages, fetched on loopback as a browser would. */
export async function checkPages(hub: Hub, timeoutMs = 10_000): Promise<SmokeCheck[]> {
  const dashboard = adminConnection(hub).url;
  const origin = new URL(dashboard).origin;
  const ping = (hub.config.ZwibblerPath.replace(/\/+$/, '') || '/socket') + '?ping';
  return Promise.all([
    check(ping, async () => {
      const res = await get(origin + ping, timeoutMs);
      return res.status === 200 && res.text.trim() === 'OK' ? undefined : `answered ${res.status}`;
    }),
    check('/', () => checkPage(`${origin}/`, BOARD_MARKER, timeoutMs)),
    check(`/board/${SMOKE_ROOM}`, () =>
      checkPage(`${origin}/board/${SMOKE_ROOM}`, BOARD_MARKER, timeoutMs),
    ),
    check(new URL(dashboard).pathname, () => checkPage(dashboard, DASHBOARD_MARKER, timeoutMs)),
  ]);
}

/** What the dashboard page sees of the bridge: its functions, and whether a call through IPC answers. */
export const BRIDGE_PROBE = `(async () => {
  const api = window[${JSON.stringify(DESKTOP_API_NAME)}];
  if (!api) return { keys: [], token: false };
  const connection = await api.adminConnection();
  return { keys: Object.keys(api).sort(), token: typeof connection.token === 'string' && connection.token.length > 0 };
})()`;

/**
 * Runs BRIDGE_PROBE in the dashboard window once `loaded` settles: the
 * preload must expose exactly the DesktopApi, and adminConnection must come
 * back through the IPC handler with its sender check.
 */
export async function checkBridge(
  contents: Pick<WebContents, 'executeJavaScript'>,
  loaded: Promise<unknown>,
  timeoutMs = 20_000,
): Promise<SmokeCheck> {
  const expected = Object.keys(desktopApi(async () => undefined)).sort();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  const result = await check("the preload's bridge", async () => {
    await Promise.race([loaded, timeout]);
    const seen = (await Promise.race([
      contents.executeJavaScript(BRIDGE_PROBE, true),
      timeout,
    ])) as {
      keys: string[];
      token: boolean;
    };
    if (seen.keys.join() !== expected.join())
      return `exposes [${seen.keys.join(', ')}], expected [${expected.join(', ')}]`;
    return seen.token ? undefined : 'adminConnection gave no token';
  });
  clearTimeout(timer);
  return result;
}

/** One line for the log or the CI output: every check, and why any failed. */
export function smokeReport(checks: readonly SmokeCheck[]): { ok: boolean; line: string } {
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  const parts = checks.map((c) => (c.ok ? c.what : `${c.what} FAILED (${c.detail})`));
  return { ok, line: `lanboard: smoke test ${ok ? 'passed' : 'failed'}: ${parts.join('; ')}` };
}
