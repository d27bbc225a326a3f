// Hocuspocus for the benchmark, 3.4 (@hocuspocus/server) or with the argument
// `4` the current major, 4.x (the npm alias hocuspocus-server-4, which needs
// Node 22 or later): no extensions, so documents live in memory only, as the
// stock y-websocket server's do without YPERSISTENCE. Prints
// {"msg":"hocuspocus listening","port":N} once listening.
// Usage: node --import tsx bench/hocuspocus-server.ts [4]   (binds 127.0.0.1, a free port)
import process from 'node:process';
const { Server } =
  process.argv[2] === '4'
    ? await import('hocuspocus-server-4')
    : await import('@hocuspocus/server');

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
process.stdout.write(
  `${JSON.stringify({ msg: 'hocuspocus listening', port: server.address.port })}\n`,
);
