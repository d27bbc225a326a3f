// Hocuspocus (@hocuspocus/server 3.4) for the benchmark: no extensions, so
// documents live in memory only, as the stock y-websocket server's do without
// YPERSISTENCE. Prints {"msg":"hocuspocus listening","port":N} once listening.
// Usage: node --import tsx bench/hocuspocus-server.ts   (binds 127.0.0.1, a free port)
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
process.stdout.write(
  `${JSON.stringify({ msg: 'hocuspocus listening', port: server.address.port })}\n`,
);
