// Calls the Zwibbler management API (POST on the Zwibbler path) as a server
// application would, with Basic credentials.
import assert from 'node:assert/strict';

export async function manage(
  httpUrl: string,
  params: Record<string, string>,
  credentials = 'admin:secret',
): Promise<void> {
  const reply = await fetch(`${httpUrl}/socket`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
    body: new URLSearchParams(params),
  });
  assert.equal(reply.status, 200, `${params.method}: ${reply.headers.get('status')}`);
}

/** An RFC 1123 expiry `seconds` from now, as addToken takes it. */
export const expiresIn = (seconds: number): string =>
  new Date(Date.now() + seconds * 1000).toUTCString();
