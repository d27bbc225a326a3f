import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completeConfig } from '../config/load';
import { protocolEndpoints } from './endpoints';
import { buildTxt, parseTxt, TXT_LIMIT_BYTES, txtBytes } from './txt-record';

const input = (config = {}) => ({
  id: '0a1b2c3d',
  version: '0.1.0',
  tls: false,
  protocols: protocolEndpoints(completeConfig(config)),
});

describe('TXT record', () => {
  test('txtvers first, then id, version, tls and every protocol path, under 200 bytes', () => {
    const { txt, omitted } = buildTxt(input());
    assert.deepEqual(Object.keys(txt), [
      'txtvers',
      'id',
      'version',
      'tls',
      'zwibbler',
      'yjs',
      'signal',
      'workspace',
      'rtc',
      'chat',
    ]);
    assert.equal(txt.txtvers, '1');
    assert.equal(txt.tls, '0');
    assert.equal(txt.zwibbler, '/socket');
    assert.equal(txt.workspace, '/socket.io');
    assert.deepEqual(omitted, []);
    assert.ok(txtBytes(txt) < TXT_LIMIT_BYTES, `${txtBytes(txt)} bytes`);
    for (const key of Object.keys(txt)) assert.ok(key.length <= 9, `key ${key} is at most 9 chars`);
  });

  test('long mount paths: the record stays under 200 bytes and says what it left out', () => {
    const long = `/${'x'.repeat(60)}`;
    const { txt, omitted } = buildTxt(
      input({ ZwibblerPath: long, YjsPath: `${long}y`, SignalPath: `${long}s` }),
    );
    assert.ok(txtBytes(txt) < TXT_LIMIT_BYTES, `${txtBytes(txt)} bytes`);
    assert.ok(omitted.length > 0);
    for (const name of omitted) assert.equal(txt[name], undefined);
    assert.equal(txt.id, '0a1b2c3d', 'the fixed fields are always there');
  });

  test('TLS is 1 when on', () => {
    assert.equal(buildTxt({ ...input(), tls: true }).txt.tls, '1');
  });

  test('parsing: what the hub wrote comes back; keys are case-insensitive, unknown ones ignored', () => {
    const { txt } = buildTxt(input());
    const parsed = parseTxt({ ...txt, FUTURE: 'x' });
    assert.equal(parsed.id, '0a1b2c3d');
    assert.equal(parsed.version, '0.1.0');
    assert.equal(parsed.tls, false);
    const paths = Object.fromEntries(input().protocols.map((p) => [p.name, p.path]));
    assert.deepEqual(parsed.protocols, paths);
    assert.deepEqual(parseTxt({ TLS: '1', Chat: '/c', yjs: 'not-a-path' }).protocols, {
      chat: '/c',
    });
    assert.equal(parseTxt(undefined).tls, false);
  });
});
