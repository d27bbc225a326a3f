// What a Yjs room may be called. The name is the raw request path after the
// mount (docs/protocols/yjs.md#room-names-are-the-raw-path), so it holds only
// what a request path carries unescaped, and it is bounded: it is stored with
// every room and shown on the dashboard.
export const MAX_ROOM_NAME_BYTES = 1024;

/** Why no client could open a room of this name, or undefined when one can. */
export function roomNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (Buffer.byteLength(name) > MAX_ROOM_NAME_BYTES) {
    return `the name is longer than ${MAX_ROOM_NAME_BYTES} bytes`;
  }
  // Visible ASCII but "?" and "#": anything else arrives percent-encoded.
  if (!/^[!"$->@-~]+$/.test(name)) {
    return 'the name has characters a URL path carries only percent-encoded (a space, "?", "#", non-ASCII)';
  }
  return undefined;
}
