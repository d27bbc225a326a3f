// End to end in Debian's Chromium: two pages, each in its own browser context,
// run a port of the original's static/load.js against the hub: a token from
// <base>/access, an EventSource on <base>/connect, a join on `connected`, and
// offers, answers and ICE candidates relayed with fetch. They open a real
// RTCPeerConnection data channel (iceServers from the hub: []) and exchange a
// message. Run twice: RtcBasePath=/rtc, and RtcBasePath=/ where the original's
// absolute paths are used unchanged. The pages are same-origin with the hub:
// each opens the hub's own /socket status page, then gets the script.
// Then the leaves the original made quick: a tab that closes is removed from
// the room within a second, and a reloaded page is never offered its own
// previous incarnation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../../test/browser';
import type { TestBrowser } from '../../test/browser';
import { startHub } from '../../test/hub-fixture';
import type { TestHub } from '../../test/hub-fixture';
import { pageFolder } from '../../test/page-folder';
import { waitFor } from '../../test/sse-client';

// The page's program, plain browser JavaScript: `lanboard.*` is what the test calls.
const PAGE_SCRIPT = `
const state = {
  peers: {}, channels: {}, pending: {}, received: [], iceServers: null, joined: false,
  me: null, announced: [], removed: [],
};

async function relay(base, token, peerId, event, data) {
  await fetch(base + '/relay/' + peerId + '/' + event, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify(data),
  });
}

function watch(peerId, channel) {
  state.channels[peerId] = channel;
  channel.onmessage = (e) => state.received.push(e.data);
}

globalThis.lanboard = {
  async start(base, room, username) {
    const access = await fetch(base + '/access', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username }),
    });
    const { token } = await access.json();
    const source = new EventSource(base + '/connect?token=' + token);
    const send = (peerId, event, data) => relay(base, token, peerId, event, data);
    source.addEventListener('connected', async (e) => {
      state.iceServers = JSON.parse(e.data).iceServers;
      state.me = JSON.parse(e.data).user.id;
      const res = await fetch(base + '/' + room + '/join', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      });
      state.joined = res.status === 200;
    });
    source.addEventListener('add-peer', async (e) => {
      const message = JSON.parse(e.data);
      const id = message.peer.id;
      state.announced.push(id);
      if (state.peers[id]) return;
      const peer = new RTCPeerConnection({ iceServers: state.iceServers });
      state.peers[id] = peer;
      state.pending[id] = [];
      peer.onicecandidate = (ev) => { if (ev.candidate) send(id, 'ice-candidate', ev.candidate); };
      if (message.offer) {
        watch(id, peer.createDataChannel('updates'));
        const offer = await peer.createOffer();
        await peer.setLocalDescription(offer);
        await send(id, 'session-description', offer);
      } else {
        peer.ondatachannel = (ev) => watch(id, ev.channel);
      }
    });
    source.addEventListener('session-description', async (e) => {
      const message = JSON.parse(e.data);
      const id = message.peer.id;
      const peer = state.peers[id];
      await peer.setRemoteDescription(message.data);
      // Candidates relayed before the description (separate requests) wait for it.
      for (const c of state.pending[id].splice(0)) await peer.addIceCandidate(c);
      if (message.data.type === 'offer') {
        const answer = await peer.createAnswer();
        await peer.setLocalDescription(answer);
        await send(id, 'session-description', answer);
      }
    });
    source.addEventListener('ice-candidate', async (e) => {
      const message = JSON.parse(e.data);
      const peer = state.peers[message.peer.id];
      if (!peer || !peer.remoteDescription) state.pending[message.peer.id].push(message.data);
      else await peer.addIceCandidate(message.data);
    });
    source.addEventListener('remove-peer', (e) => {
      const id = JSON.parse(e.data).peer.id;
      state.removed.push(id);
      if (state.peers[id]) state.peers[id].close();
      delete state.peers[id];
      delete state.channels[id];
    });
    globalThis.lanboardSource = source;
  },
  joined() { return state.joined; },
  me() { return state.me; },
  announced() { return state.announced; },
  removed() { return state.removed; },
  iceServers() { return state.iceServers; },
  openChannels() {
    return Object.values(state.channels).filter((c) => c.readyState === 'open').length;
  },
  send(text) { for (const c of Object.values(state.channels)) c.send(text); },
  received() { return state.received; },
  stop() {
    globalThis.lanboardSource.close();
    for (const p of Object.values(state.peers)) p.close();
  },
};
`;

const skip = chromiumMissing();

describe('SSE signaling builds a WebRTC data channel between two Chromium pages', { skip }, () => {
  let browser: TestBrowser;
  const hubs: TestHub[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    for (const h of hubs) await h.stop();
  });

  async function openPage(hub: TestHub, at = '/socket'): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.goto(`${hub.httpUrl}${at}`);
    assert.equal(res?.status(), 200);
    await page.addScriptTag({ content: PAGE_SCRIPT });
    return page;
  }

  /**
   * `pagePath`: where the page is opened (the hub's /socket status page, or the
   * hosted page); `pageRoom`: the room as the page names it in its join path.
   */
  async function exchange(
    basePath: string,
    hosted?: { settings: Record<string, string>; pagePath: string; pageRoom: string },
  ): Promise<void> {
    const hub = await startHub({
      RtcBasePath: basePath,
      RtcTokenKey: 'e2e-key-0123456789abcdef',
      ...hosted?.settings,
    });
    hubs.push(hub);
    // The page uses paths relative to its origin; the original's are absolute.
    const base = basePath === '/' || hosted ? '' : basePath;
    const room = 'lesson-1';
    const pageRoom = hosted?.pageRoom ?? room;
    const [a, b] = [await openPage(hub, hosted?.pagePath), await openPage(hub, hosted?.pagePath)];
    const evaluate = (page: Page, js: string) => page.evaluate(js);
    const start = (page: Page, username: string) =>
      evaluate(page, `lanboard.start(${JSON.stringify(base)}, "${pageRoom}", "${username}")`);

    await start(a, 'teacher');
    await waitFor(() => hub.hub.registry.clients({ protocol: 'rtc-sse', room }).length === 1);
    await start(b, 'student');
    await waitFor(() => hub.hub.registry.clients({ protocol: 'rtc-sse', room }).length === 2);
    assert.deepEqual(await evaluate(a, 'lanboard.iceServers()'), []);
    // The hub counts the member before the page has read the join's 200.
    await b.waitForFunction('lanboard.joined() === true', undefined, { timeout: 10_000 });

    for (const page of [a, b]) {
      await page.waitForFunction('lanboard.openChannels() === 1', undefined, { timeout: 30_000 });
    }
    await evaluate(a, 'lanboard.send("hello from the teacher")');
    await evaluate(b, 'lanboard.send("hello from a student")');
    await b.waitForFunction('lanboard.received().length === 1', undefined, { timeout: 10_000 });
    await a.waitForFunction('lanboard.received().length === 1', undefined, { timeout: 10_000 });
    assert.deepEqual(await evaluate(b, 'lanboard.received()'), ['hello from the teacher']);
    assert.deepEqual(await evaluate(a, 'lanboard.received()'), ['hello from a student']);
    for (const page of [a, b]) await evaluate(page, 'lanboard.stop()');
  }

  test('with RtcBasePath=/rtc', async () => {
    await exchange('/rtc');
  });

  test("with RtcBasePath=/ (the original client's absolute paths)", async () => {
    await exchange('/');
  });

  test('the original page hosted at the default base: absolute paths at the root, its room from its whole path', async () => {
    const folder = pageFolder({ 'index.html': '<!doctype html><title>drawing</title>\n' });
    try {
      await exchange('/rtc', {
        settings: { RtcPageDir: folder.dir },
        pagePath: '/rtc/lesson-1',
        pageRoom: 'rtc/lesson-1',
      });
    } finally {
      folder.remove();
    }
  });

  describe('leaving', () => {
    let hub: TestHub;
    const room = 'leaving';
    const members = () => hub.hub.registry.clients({ protocol: 'rtc-sse', room }).length;
    const start = async (page: Page, username: string) => {
      await page.evaluate(`lanboard.start("/rtc", "${room}", "${username}")`);
      await page.waitForFunction('lanboard.joined() && lanboard.me() !== null');
      return (await page.evaluate('lanboard.me()')) as string;
    };

    before(async () => {
      hub = await startHub({ RtcTokenKey: 'e2e-key-0123456789abcdef' });
      hubs.push(hub);
    });

    test('a tab that closes is removed: the others get remove-peer within 1 s', async () => {
      const a = await openPage(hub);
      const b = await openPage(hub);
      await start(a, 'stays');
      const bId = await start(b, 'leaves');
      await a.waitForFunction(`lanboard.announced().includes(${JSON.stringify(bId)})`);
      const closedAt = performance.now();
      await b.close();
      // The acceptance criterion is the 1 s deadline; the time taken is only logged.
      await a.waitForFunction(`lanboard.removed().includes(${JSON.stringify(bId)})`, undefined, {
        timeout: 1000,
        polling: 10,
      });
      console.log(
        `remove-peer ${Math.round(performance.now() - closedAt)} ms after the tab closed`,
      );
      await waitFor(() => members() === 1);
      await a.evaluate('lanboard.stop()');
      await waitFor(() => members() === 0);
    });

    test('a reloaded page is never offered its previous self, and the others see it leave', async () => {
      const a = await openPage(hub);
      const b = await openPage(hub);
      const aId = await start(a, 'stays');
      const oldId = await start(b, 'reloads');
      await a.waitForFunction(`lanboard.announced().includes(${JSON.stringify(oldId)})`);
      const reloadedAt = performance.now();
      await b.reload();
      await b.addScriptTag({ content: PAGE_SCRIPT });
      const newId = await start(b, 'reloads');
      assert.notEqual(newId, oldId, 'the original page asks for a new peer on every load');
      // Every add-peer of the join comes in one burst: once A's is in, B's are.
      await a.waitForFunction(`lanboard.announced().includes(${JSON.stringify(newId)})`);
      await b.waitForFunction(`lanboard.announced().includes(${JSON.stringify(aId)})`);
      assert.ok(
        (await a.evaluate(`lanboard.removed().includes(${JSON.stringify(oldId)})`)) as boolean,
        'the old incarnation left before the new one was announced',
      );
      console.log(
        `old self removed; new page joined ${Math.round(performance.now() - reloadedAt)} ms after the reload`,
      );
      assert.deepEqual(await b.evaluate('lanboard.announced()'), [aId]);
      assert.equal(members(), 2);
      for (const page of [a, b]) await page.evaluate('lanboard.stop()');
    });
  });

  describe('a page the hub hosts (RtcPageDir)', () => {
    // As the original's page: its script comes from static/, its room is its own path.
    const AUTOSTART = `
const parts = location.pathname.split('/');
const room = parts.pop();
lanboard.start(parts.join('/'), room, 'user' + Math.floor(Math.random() * 100000));
`;
    const folder = pageFolder({
      'index.html':
        '<!doctype html><meta charset="utf-8"><title>room</title><script src="static/load.js"></script>\n',
      'load.js': PAGE_SCRIPT + AUTOSTART,
    });
    after(() => folder.remove());

    async function meetOnHostedPage(basePath: string): Promise<void> {
      const hub = await startHub({ RtcBasePath: basePath, RtcPageDir: folder.dir });
      hubs.push(hub);
      const a = await (await browser.newContext()).newPage();
      const b = await (await browser.newContext()).newPage();
      contexts.push(a.context(), b.context());
      // At /rtc the base makes the room; at / the hub's join page keeps `/`, so the room is named.
      const first = basePath === '/' ? `${hub.httpUrl}/lesson-9` : `${hub.httpUrl}/rtc/`;
      assert.equal((await a.goto(first))?.status(), 200);
      const room = new URL(a.url()).pathname;
      assert.match(room, basePath === '/' ? /^\/lesson-9$/ : /^\/rtc\/[a-z0-9]{8}$/);
      assert.equal((await b.goto(a.url()))?.status(), 200);
      for (const page of [a, b]) {
        await page.waitForFunction('lanboard.openChannels() === 1', undefined, { timeout: 30_000 });
      }
      const name = room.split('/').pop()!;
      assert.equal(hub.hub.registry.clients({ protocol: 'rtc-sse', room: name }).length, 2);
      await a.evaluate('lanboard.send("drawn on a hosted page")');
      await b.waitForFunction('lanboard.received().length === 1', undefined, { timeout: 10_000 });
      for (const page of [a, b]) await page.evaluate('lanboard.stop()');
    }

    test('with RtcBasePath=/rtc: the base redirects to a new room and two pages meet there', async () => {
      await meetOnHostedPage('/rtc');
    });

    test("with RtcBasePath=/: the original's layout, absolute paths and all", async () => {
      await meetOnHostedPage('/');
    });
  });
});
