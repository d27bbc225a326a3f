// The ws package, loaded with require() rather than imported. Node 20 and 22
// import a CommonJS package into an ES module at a memory cost that require()
// does not pay: an idle hub held 1 to 3 MiB more RSS with ws imported on
// Node 20, and importing ws alone took 8 MiB more than requiring it on Node 22
// (Node 24 costs the same either way; docs/benchmarks.md#start-up-and-idle-memory).
import { createRequire } from 'node:module';
import type * as Ws from 'ws';

const ws = createRequire(import.meta.url)('ws') as typeof Ws;

export const WebSocket = ws.WebSocket;
export type WebSocket = Ws.WebSocket;
export const WebSocketServer = ws.WebSocketServer;
export type WebSocketServer = Ws.WebSocketServer;
