// A client's address as limits and logs key it: IPv4-mapped IPv6 addresses
// (`::ffff:10.0.0.5`) are the IPv4 address they carry.

export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
