// Puts the SSE/HTTP WebRTC signaling on the hub under RtcBasePath
// (docs/protocols/sse.md#paths-and-configuration).
import type { MountedProtocol, ProtocolContext } from '../../hub/protocol';
import type { HttpTransport } from '../../transport/http-server';
import { AddressLimiter } from '../../transport/rate-limit';
import { RefusalLog } from '../../transport/refusals';
import { rtcPrefix, rtcSseRoute } from './routes';
import type { RtcRouteOptions } from './routes';
import { SseSignaling } from './signaling';
import type { SignalingOptions } from './signaling';
import { RtcTokens } from './token';

/** Timings and bounds that are not config keys; tests shorten them. */
export type RtcSseTuning = Pick<
  SignalingOptions,
  'pingMs' | 'resumeWindowMs' | 'maxBufferedEvents' | 'maxRoomsPerPeer' | 'idleMs'
>;

export const RTC_SSE_DEFAULTS: RtcSseTuning = {
  pingMs: 10_000, // as the original
  resumeWindowMs: 30_000,
  maxBufferedEvents: 100,
  maxRoomsPerPeer: 100,
  // The original client joins its rooms as soon as its stream opens.
  idleMs: 60_000,
};

export interface RtcSseMount extends MountedProtocol {
  readonly signaling: SseSignaling;
}

export function mountRtcSse(
  transport: HttpTransport,
  context: ProtocolContext,
  tuning: Partial<RtcSseTuning> = {},
): RtcSseMount {
  const { config, registry, bus, now } = context;
  const log = context.log.child({ protocol: 'rtc-sse' });
  const tokens = new RtcTokens({
    key: config.RtcTokenKey,
    dataDir: config.DataDir,
    lifetimeSeconds: config.RtcTokenSeconds,
    now,
    log,
  });
  const signaling = new SseSignaling({
    ...RTC_SSE_DEFAULTS,
    ...tuning,
    tokens,
    registry,
    bus,
    log,
    now,
    iceServers: config.IceServers,
    messagesPerSecond: config.SignalMessagesPerSecond,
    maxQueuedBytes: config.MaxQueuedBytes,
    maxPeersPerRoom: config.RtcMaxPeersPerRoom,
    maxResumeBytesPerPeer: config.RtcResumeBytesPerPeer,
    maxResumeBytes: config.RtcResumeBytes,
    limitHits: context.limitHits,
    // Other hubs to mirror rooms from: only when hubs share Redis or PostgreSQL.
    crossHub: context.bus.crossesHubs,
  });
  const prefix = rtcPrefix(config.RtcBasePath);
  const routeOptions: RtcRouteOptions = {
    prefix,
    signaling,
    tokens,
    iceServers: config.IceServers,
    maxBodyBytes: config.SignalMaxMessageBytes,
    credentials: context.credentials,
    newPeers: new AddressLimiter({
      burst: config.RtcPeersPerMinute,
      perSecond: config.RtcPeersPerMinute / 60,
      now,
    }),
    refusals: new RefusalLog(log, now),
    log,
  };
  transport.addRoute(rtcSseRoute(routeOptions));
  if (config.RtcPageDir && prefix !== '') {
    // The original drawing-webrtc page, hosted at <base>/<room>, joins at
    // <base>/<room>/join but asks for its token, its stream and its relays at
    // the root: with a page to host, the hub answers those there too
    // (docs/protocols/sse.md#hosting-a-page). Its joins stay under the base.
    transport.addRoute(
      rtcSseRoute({
        ...routeOptions,
        prefix: '',
        only: { kinds: ['access', 'connect', 'relay'], name: 'rtc-sse-page-root' },
      }),
    );
  }
  return {
    signaling,
    async stop() {
      signaling.stop();
    },
  };
}
