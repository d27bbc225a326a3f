import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../config/load';
import { updateConfigText } from './config-file';

const SAMPLE = `# Lanboard settings
; a semicolon comment

ServerPort = 3000
UnknownThing=keep me
RedisServer=
  Compression=1
JWTKey=abc==
`;

const edit = (text: string, changes: Record<string, string>) =>
  updateConfigText(text, new Map(Object.entries(changes)));

describe('updateConfigText', () => {
  test('changes a value in place, keeping comments, order, spacing and unknown lines', () => {
    const out = edit(SAMPLE, { ServerPort: '3001', Compression: '0' });
    assert.equal(
      out,
      SAMPLE.replace('ServerPort = 3000', 'ServerPort = 3001').replace(
        '  Compression=1',
        '  Compression=0',
      ),
    );
  });

  test('a key written under an alias is rewritten on that line', () => {
    const out = edit(SAMPLE, { DbServer: 'redis.lan:6379' });
    assert.match(out, /^RedisServer=redis\.lan:6379$/m);
    assert.doesNotMatch(out, /DbServer/);
  });

  test("'' removes the key; a new key is appended", () => {
    const out = edit(SAMPLE, { JWTKey: '', Webhook: 'http://10.0.0.2/hook' });
    assert.doesNotMatch(out, /JWTKey/);
    assert.ok(out.endsWith('Compression=1\nWebhook=http://10.0.0.2/hook\n'));
    assert.match(out, /^# Lanboard settings$/m);
    assert.match(out, /^UnknownThing=keep me$/m);
  });

  test('a key on several lines keeps only its last line, rewritten', () => {
    const out = edit('ServerPort=1\n# note\nServerPort=2\n', { ServerPort: '3' });
    assert.equal(out, '# note\nServerPort=3\n');
  });

  test('values with = survive a round trip through the loader', () => {
    const out = edit(SAMPLE, { JWTKey: 'bmV3a2V5==' });
    const parsed = parseConfigText(out, 'x');
    const jwt = [...parsed.values].find(([s]) => s.key === 'JWTKey')![1];
    assert.equal(jwt.raw, 'bmV3a2V5==');
  });

  test('CRLF files stay CRLF; a file without a final newline gets none added in place', () => {
    assert.equal(edit('A=1\r\nServerPort=1\r\n', { ServerPort: '2' }), 'A=1\r\nServerPort=2\r\n');
    assert.equal(edit('ServerPort=1', { ServerPort: '2' }), 'ServerPort=2');
  });

  test('an empty file gets the new keys; removing the last key leaves it empty', () => {
    assert.equal(edit('', { ServerPort: '80' }), 'ServerPort=80\n');
    assert.equal(edit('ServerPort=80\n', { ServerPort: '' }), '');
  });
});
