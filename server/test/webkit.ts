// Safari's engine for end-to-end tests: WebKitGTK's MiniBrowser driven through
// WebKitWebDriver with selenium-webdriver. MiniBrowser has no headless mode, so
// each page gets an X server of its own (Xvfb, on a display it picks itself,
// no TCP) whose screen is the page's size, as a phone's screen is. Its
// --full-screen hides MiniBrowser's own tool bar, which would take 38 px and
// keep the window at least 447 px wide. Nothing leaves loopback: the driver listens on
// 127.0.0.1, and the browser's proxy is a closed loopback port for every host
// but 127.0.0.1, so any request elsewhere fails instead of going out.
// Everything the browser writes goes under a temporary HOME, removed on close
// (docs/architecture.md#browser-tests).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Builder, By, Key, Origin } from 'selenium-webdriver';
import type { WebDriver, WebElement } from 'selenium-webdriver';
import { freePort, sleep, tempDir } from './hub-fixture';

export { By, Key };

/** The first executable named `name` on PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

/**
 * MiniBrowser is not on PATH: Debian keeps it in the multiarch library folder
 * (/usr/lib/<triplet>/webkit2gtk-4.1), Fedora and Arch under libexec.
 */
function findMiniBrowser(): string | undefined {
  if (process.env.WEBKIT_MINIBROWSER) return process.env.WEBKIT_MINIBROWSER;
  const roots = ['/usr/libexec', '/usr/lib'];
  try {
    roots.push(...fs.readdirSync('/usr/lib').map((d) => path.join('/usr/lib', d)));
  } catch {
    // No /usr/lib: nothing more to look in.
  }
  for (const root of roots) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
      const file = path.join(root, api, 'MiniBrowser');
      if (fs.existsSync(file)) return file;
    }
  }
  return undefined;
}

const DRIVER = process.env.WEBKIT_WEBDRIVER ?? onPath('WebKitWebDriver');
const MINIBROWSER = findMiniBrowser();
const XVFB = onPath('Xvfb');

/** Undefined when WebKit can run here: callers skip with the reason otherwise. */
export function webkitMissing(): string | undefined {
  if (!DRIVER) return 'no WebKitWebDriver on PATH (Debian: webkit2gtk-driver)';
  if (!fs.existsSync(DRIVER)) return `no WebKitWebDriver at ${DRIVER}`;
  if (!MINIBROWSER) return "no WebKitGTK MiniBrowser (Debian's webkit2gtk-driver brings it)";
  if (!fs.existsSync(MINIBROWSER)) return `no MiniBrowser at ${MINIBROWSER}`;
  if (!XVFB) return 'no Xvfb on PATH (Debian: xvfb)';
  return undefined;
}

/**
 * MiniBrowser's switches: the proxy keeps it on loopback; the rest turns off
 * what could reach out or run on its own (DNS prefetching, hyperlink pings,
 * WebRTC, media capture), none of which the board uses.
 */
const MINIBROWSER_ARGS = [
  '--automation',
  // Hides MiniBrowser's own tool bar, so the window can be a phone's size.
  '--full-screen',
  '--proxy=http://127.0.0.1:9',
  '--ignore-host=127.0.0.1',
  '--enable-dns-prefetching=false',
  '--enable-hyperlink-auditing=false',
  '--enable-webrtc=false',
  '--enable-media-stream=false',
  '--enable-webaudio=false',
];

export interface WebKitPage {
  driver: WebDriver;
  width: number;
  height: number;
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page, as Playwright's page.evaluate does. */
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  /** The first element matching `css`, waiting until it is displayed. */
  find(css: string): Promise<WebElement>;
  /** A mouse drag through viewport points. */
  drag(points: Array<[number, number]>): Promise<void>;
  click(x: number, y: number): Promise<void>;
  /** Keys to whatever has the focus (`Key.ESCAPE` and the like, or text). */
  type(...keys: string[]): Promise<void>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

const DRAG_STEPS = 4;

/** WebDriver takes whole viewport pixels. */
const at = ([x, y]: [number, number]) => ({ x: Math.round(x), y: Math.round(y) });

/** The process groups started and not yet ended: a test that dies ends them on its way out. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/** Starts a process in a group of its own, so that close ends it with all it started. */
function start(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: Array<'ignore' | 'pipe'>,
): ChildProcess {
  const child = spawn(file, args, { env, stdio, detached: true });
  if (child.pid) running.add(child.pid);
  child.once('exit', () => running.delete(child.pid!));
  return child;
}

function endGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return Promise.resolve(); // already gone
  }
  const force = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }, 3_000);
  return exited.finally(() => clearTimeout(force));
}

/** Xvfb on the first free display, which it reports on a pipe (-displayfd). */
async function startXvfb(width: number, height: number, env: NodeJS.ProcessEnv) {
  const xvfb = start(
    XVFB!,
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', `${width}x${height}x24`],
    env,
    ['ignore', 'ignore', 'pipe', 'pipe'],
  );
  let errors = '';
  xvfb.stderr!.on('data', (d: Buffer) => (errors = (errors + String(d)).slice(-2000)));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    xvfb.stdio[3]!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${errors}`)));
  });
  return { xvfb, display };
}

async function waitForDriver(port: number, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode})`);
    const ready = await fetch(`http://127.0.0.1:${port}/status`)
      .then(async (r) => ((await r.json()) as { value?: { ready?: boolean } }).value?.ready)
      .catch(() => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer within 30 s');
    await sleep(100);
  }
}

/** A WebKit window whose viewport is exactly `width`×`height` CSS pixels. */
export async function openWebKitPage(width: number, height: number): Promise<WebKitPage> {
  const home = tempDir('lanboard-webkit-');
  // The browser writes caches and settings under HOME and the XDG folders.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home.dir,
    XDG_CACHE_HOME: path.join(home.dir, 'cache'),
    XDG_CONFIG_HOME: path.join(home.dir, 'config'),
    XDG_DATA_HOME: path.join(home.dir, 'data'),
    XDG_RUNTIME_DIR: home.dir,
    TMPDIR: home.dir,
    // No accessibility bus and no D-Bus session: nothing to reach.
    NO_AT_BRIDGE: '1',
    GTK_A11Y: 'none',
    DBUS_SESSION_BUS_ADDRESS: 'disabled:',
  };
  let xvfb: ChildProcess | undefined;
  let driverProcess: ChildProcess | undefined;
  let driver: WebDriver | undefined;
  const close = async () => {
    await driver?.quit().catch(() => {});
    await endGroup(driverProcess);
    await endGroup(xvfb);
    home.remove();
  };
  try {
    const x = await startXvfb(width, height, env);
    xvfb = x.xvfb;
    env.DISPLAY = x.display;
    const port = await freePort();
    driverProcess = start(DRIVER!, [`--port=${port}`, '--host=127.0.0.1'], env, [
      'ignore',
      'ignore',
      'ignore',
    ]);
    await waitForDriver(port, driverProcess);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: MINIBROWSER_ARGS },
      })
      .build();
    await driver.manage().window().setRect({ width, height, x: 0, y: 0 });
  } catch (err) {
    await close();
    throw err;
  }
  const d = driver;
  const page: WebKitPage = {
    driver: d,
    width,
    height,
    goto: (url) => d.get(url),
    evaluate: <R, A>(fn: (arg: A) => R, arg: A) =>
      // tsx names functions through a `__name` helper the page does not have.
      d.executeScript<R>(`const __name = (f) => f; return (${String(fn)})(arguments[0]);`, arg),
    async find(css) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [el] = await d.findElements(By.css(css));
        if (el && (await el.isDisplayed().catch(() => false))) return el;
        if (Date.now() > deadline) throw new Error(`${css}: not shown within 30 s`);
        await sleep(100);
      }
    },
    async drag(points) {
      const [first, ...rest] = points;
      let chain = d
        .actions({ async: true })
        .move({ ...at(first!), origin: Origin.VIEWPORT, duration: 0 })
        .press();
      // WebKit sends one pointermove per move: four per segment, as a hand
      // would (Playwright's mouse.move with steps: 4), so a smoothed stroke
      // still passes through the points.
      let from = first!;
      for (const to of rest) {
        for (let i = 1; i <= DRAG_STEPS; i++) {
          const k = i / DRAG_STEPS;
          const p: [number, number] = [
            from[0] + (to[0] - from[0]) * k,
            from[1] + (to[1] - from[1]) * k,
          ];
          chain = chain.move({ ...at(p), origin: Origin.VIEWPORT, duration: 10 });
        }
        from = to;
      }
      await chain.release().perform();
    },
    async click(x, y) {
      await d
        .actions({ async: true })
        .move({ ...at([x, y]), origin: Origin.VIEWPORT, duration: 0 })
        .press()
        .release()
        .perform();
    },
    type: (...keys) =>
      d
        .actions({ async: true })
        .sendKeys(...keys)
        .perform(),
    async screenshot(file) {
      fs.writeFileSync(file, await d.takeScreenshot(), 'base64');
    },
    close,
  };
  // The window must be the size asked for, or every measurement is off. The web
  // process learns the new size a moment after the window has it.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const inner = await page.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; innerHeight: number };
      return [w.innerWidth, w.innerHeight];
    }, undefined);
    if (inner[0] === width && inner[1] === height) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`WebKit's viewport is ${inner.join('×')}, not ${width}×${height}`);
    }
    await sleep(100);
  }
  return page;
}
