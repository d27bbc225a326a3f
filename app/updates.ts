// Updates: the app asks GitHub's releases API for the latest release of the
// repository in its package.json (`repository`, which the release workflow
// sets to the repository it builds in), and offers a newer one to the teacher
// with a link to its page, to download and install after the lesson. Never
// while any device is connected: a found update waits until the hub is idle.
// `UpdateCheck=0` (or LANBOARD_UPDATE_CHECK=0 from IT) turns it off; a build
// without a repository (a development run) never checks. electron-updater is
// not used (docs/desktop.md#updates).
import type { Dialog, Shell } from 'electron';
import type { Logger } from '../server/index';
import type { StateFile } from './app-state';

export interface Repository {
  owner: string;
  repo: string;
}

/** package.json's `repository`: "github:o/r", "o/r", a GitHub URL, or `{url}`. Undefined for anything else. */
export function githubRepository(field: unknown): Repository | undefined {
  const text =
    typeof field === 'string'
      ? field
      : field && typeof field === 'object' && typeof (field as { url?: unknown }).url === 'string'
        ? (field as { url: string }).url
        : '';
  const m =
    /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(text) ??
    /^(?:(?:git\+)?(?:https?|git|ssh):\/\/)?(?:git@)?github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(
      text,
    );
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}

/** x.y.z compared by number; a pre-release (x.y.z-beta) comes before its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.replace(/^v/, '').split('-', 2);
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export interface Release {
  version: string;
  /** The release's page on github.com, checked to belong to the repository. */
  url: string;
}

export const GITHUB_API = 'https://api.github.com';

/** GET /repos/<owner>/<repo>/releases/latest (drafts and pre-releases are never "latest"). */
export async function latestRelease(
  repository: Repository,
  o: { apiBase?: string; currentVersion: string; timeoutMs?: number },
): Promise<Release> {
  const { owner, repo } = repository;
  const res = await fetch(`${o.apiBase ?? GITHUB_API}/repos/${owner}/${repo}/releases/latest`, {
    headers: {
      Accept: 'application/vnd.github+json',
      'User-Agent': `Lanboard/${o.currentVersion}`,
    },
    signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
  });
  if (!res.ok) throw new Error(`GitHub answered ${res.status}`);
  const body = (await res.json()) as { tag_name?: unknown; html_url?: unknown };
  const tag = typeof body.tag_name === 'string' ? body.tag_name : '';
  if (!/^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(tag)) throw new Error(`not a version tag: ${tag}`);
  const page = `https://github.com/${owner}/${repo}/releases/`;
  const url = typeof body.html_url === 'string' ? body.html_url : '';
  // Only this repository's release pages go to the browser.
  if (!url.startsWith(page) || new URL(url).origin !== 'https://github.com')
    throw new Error(`the release page is not under ${page}`);
  return { version: tag.replace(/^v/, ''), url };
}

export interface UpdateOptions {
  repository: Repository | undefined;
  currentVersion: string;
  /** Read at every check: the teacher or IT may turn it off while the app runs. */
  enabled(): boolean;
  dialog: Pick<Dialog, 'showMessageBox'>;
  shell: Pick<Shell, 'openExternal'>;
  state: StateFile;
  log: Logger;
  apiBase?: string;
  /** After the start, then between checks, and after a failed one. */
  firstDelayMs?: number;
  intervalMs?: number;
  retryMs?: number;
  now?: () => number;
}

const HOUR = 60 * 60_000;

/** Driven by the app's poll: `tick(connections)` checks when due and offers when idle. */
export class UpdateOffer {
  private nextCheck: number;
  private checking = false;
  private offering = false;
  /** Found, not yet offered (devices were connected), or offered and put off until later. */
  private found: Release | undefined;
  private offered = new Set<string>();

  constructor(private readonly o: UpdateOptions) {
    this.nextCheck = this.now() + (o.firstDelayMs ?? 60_000);
  }

  /** The newer release found, if any: the tray offers it too. */
  get available(): Release | undefined {
    return this.found;
  }

  tick(connections: number): void {
    if (!this.checking && this.now() >= this.nextCheck) void this.check();
    if (this.found && connections === 0 && !this.offering && !this.offered.has(this.found.version))
      void this.offer(this.found);
  }

  /** Opens the release page: the tray's item, or the dialog's first button. */
  async openDownload(): Promise<void> {
    if (this.found) await this.o.shell.openExternal(this.found.url);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private async check(): Promise<void> {
    this.nextCheck = this.now() + (this.o.intervalMs ?? 24 * HOUR);
    if (!this.o.repository || !this.o.enabled()) return;
    this.checking = true;
    try {
      const latest = await latestRelease(this.o.repository, {
        apiBase: this.o.apiBase,
        currentVersion: this.o.currentVersion,
      });
      const newer = compareVersions(latest.version, this.o.currentVersion) > 0;
      const skipped = this.o.state.read().skippedVersion === latest.version;
      this.found = newer && !skipped ? latest : undefined;
      if (this.found) this.o.log.info({ version: latest.version }, 'a newer Lanboard is available');
    } catch (err) {
      this.nextCheck = this.now() + (this.o.retryMs ?? HOUR);
      this.o.log.warn({ err: (err as Error).message }, 'could not check for a newer Lanboard');
    } finally {
      this.checking = false;
    }
  }

  private async offer(release: Release): Promise<void> {
    this.offering = true;
    this.offered.add(release.version);
    try {
      const { response } = await this.o.dialog.showMessageBox({
        type: 'info',
        title: 'Lanboard',
        message: `Lanboard ${release.version} is available`,
        detail: `You have ${this.o.currentVersion}. Download it from its release page and install it when no lesson is running: your classes and boards are kept.`,
        buttons: ['Open the download page', 'Later', 'Skip this version'],
        defaultId: 0,
        cancelId: 1,
      });
      if (response === 0) await this.o.shell.openExternal(release.url);
      if (response === 2) {
        this.o.state.update({ skippedVersion: release.version });
        this.found = undefined;
      }
    } finally {
      this.offering = false;
    }
  }
}
