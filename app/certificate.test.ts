// The fingerprint Chromium reports, computed from CertFile.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { certificateFingerprint } from './certificate';

test('certificateFingerprint is "sha256/" and the base64 SHA-256 of the DER', async () => {
  const pems = await generate([{ name: 'commonName', value: 'fingerprint' }], { keyType: 'ec' });
  const body = pems.cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const expected = `sha256/${crypto.createHash('sha256').update(Buffer.from(body, 'base64')).digest('base64')}`;
  assert.equal(certificateFingerprint(pems.cert), expected);
  // A chain file: the first certificate is the server's.
  const other = await generate([{ name: 'commonName', value: 'ca' }], { keyType: 'ec' });
  assert.equal(certificateFingerprint(pems.cert + other.cert), expected);
});
