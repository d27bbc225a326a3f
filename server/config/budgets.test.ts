// The rules between the budgets (docs/operating.md#budgets), checked when the
// config loads: the defaults hold them, and a config that breaks one is
// refused with an error naming both settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeConfig, ConfigError, loadConfig } from './load';

test('the defaults keep every send queue at least twice the largest message', () => {
  const c = completeConfig({});
  for (const bytes of [c.MaxMessageBytes, c.YjsMaxUpdateBytes, c.SignalMaxMessageBytes]) {
    assert.ok(c.MaxQueuedBytes >= 2 * bytes);
    assert.ok(c.InboundBurstBytes >= 2 * bytes);
  }
});

test('a send queue under twice YjsMaxUpdateBytes stops the load, naming both keys', () => {
  assert.throws(
    () => loadConfig({ env: { LANBOARD_YJS_MAX_UPDATE_BYTES: '16MiB' } }),
    (err: Error) =>
      err instanceof ConfigError &&
      /MaxQueuedBytes=16MiB must be at least twice YjsMaxUpdateBytes=16MiB/.test(err.message) &&
      /raise MaxQueuedBytes to 32MiB or lower YjsMaxUpdateBytes/.test(err.message),
  );
  assert.equal(
    loadConfig({
      env: { LANBOARD_YJS_MAX_UPDATE_BYTES: '16MiB', LANBOARD_MAX_QUEUED_BYTES: '32MiB' },
    }).config.YjsMaxUpdateBytes,
    16 * 1024 * 1024,
  );
});

test('a send queue under twice MaxMessageBytes is refused too', () => {
  assert.throws(
    () => completeConfig({ MaxMessageBytes: 12 * 1024 * 1024 }),
    /MaxQueuedBytes=16MiB must be at least twice MaxMessageBytes=12MiB/,
  );
});

test('an inbound burst smaller than what an endpoint reads is refused', () => {
  assert.throws(
    () => completeConfig({ InboundBurstBytes: 4 * 1024 * 1024 }),
    /InboundBurstBytes=4MiB must be at least MaxMessageBytes=8MiB/,
  );
  assert.throws(
    () =>
      completeConfig({
        SignalMaxMessageBytes: 8 * 1024 * 1024,
        InboundBurstBytes: 12 * 1024 * 1024,
      }),
    /InboundBurstBytes=12MiB must be at least 2 × SignalMaxMessageBytes=8MiB/,
  );
});

test("an address's inbound burst smaller than one connection's is refused", () => {
  assert.throws(
    () => completeConfig({ InboundAddressBurstBytes: 32 * 1024 * 1024 }),
    /InboundAddressBurstBytes=32MiB must be at least InboundBurstBytes=64MiB/,
  );
});
