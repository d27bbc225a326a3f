// What the Settings page says before a restart that moves the hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMove, moveWarning } from './moves';
import type { MoveValues } from './moves';

const same = (v: string) => ({ now: v, next: v });
const values = (changes: Partial<MoveValues>): MoveValues => ({
  ServerPort: same('3000'),
  ServerBindAddress: same('0.0.0.0'),
  CertFile: same(''),
  KeyFile: same(''),
  ...changes,
});

test('a new port: boards follow', () => {
  const check = checkMove(values({ ServerPort: { now: '3000', next: '8080' } }));
  assert.deepEqual(check, { moving: ['ServerPort'], blockers: [] });
  assert.match(moveWarning(check), /follow the hub to its new address by themselves/);
});

test('listening on loopback only, or a change of scheme: boards cannot follow', () => {
  const loopback = checkMove(values({ ServerBindAddress: { now: '0.0.0.0', next: '127.0.0.1' } }));
  assert.equal(loopback.blockers.length, 1);
  assert.match(moveWarning(loopback), /^Open boards cannot follow this change: .*127\.0\.0\.1/);
  const noTls = checkMove(values({ CertFile: { now: '/etc/hub.pem', next: '' } }));
  assert.match(noTls.blockers[0]!, /stop using HTTPS/);
  const tls = checkMove(values({ CertFile: { now: '', next: '/etc/hub.pem' } }));
  assert.match(tls.blockers[0]!, /accept its certificate/);
  // Already on loopback (a test hub, a hub for this computer): nothing changes for devices.
  const stays = checkMove(
    values({ ServerBindAddress: same('127.0.0.1'), ServerPort: { now: '1', next: '2' } }),
  );
  assert.deepEqual(stays.blockers, []);
});
