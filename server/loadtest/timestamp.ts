// Screen-to-screen time as the reference measures it
// (docs/loadtest.md#screen-to-screen-time): the sender writes the low 32 bits of
// its Unix time in ms, big-endian, into the first 4 bytes of each change; a
// receiver subtracts that from the low 32 bits of its own clock.
// Both ends must share one wall clock, so all clients run on one machine.

/** The low 32 bits of a Unix time in ms, as an unsigned number. */
export const low32 = (unixMs: number): number => (unixMs % 0x1_0000_0000) >>> 0;

export function writeStamp(data: Uint8Array, unixMs: number): void {
  const v = low32(unixMs);
  data[0] = v >>> 24;
  data[1] = (v >>> 16) & 0xff;
  data[2] = (v >>> 8) & 0xff;
  data[3] = v & 0xff;
}

export function readStamp(bytes: Uint8Array, at: number): number {
  return (
    bytes[at]! * 0x100_0000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)
  );
}

/**
 * ms from a stamp to `nowUnixMs`. Computed modulo 2^32, so a run that crosses
 * the 32-bit wrap (every 49.7 days) still measures correctly, unlike the
 * reference; a stamp slightly in the future (clock stepped) gives a negative value.
 */
export function elapsedSince(stamp: number, nowUnixMs: number): number {
  return (low32(nowUnixMs) - stamp) | 0;
}
