// The chart's history: per second for the last hour, per minute for the last
// day, both rings bounded, and a minute's merge (highest counts, mean rates).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatsHistory } from './stats-history';
import type { StatsSource } from './stats-history';

/** A source whose counts the test sets. */
function source(): StatsSource & { state: { clients: number; messages: number } } {
  const state = { clients: 0, messages: 0 };
  return {
    state,
    traffic: () =>
      new Map([
        [
          'socket',
          {
            connections: state.clients,
            messagesIn: state.messages,
            messagesOut: 0,
            bytesIn: 0,
            bytesOut: 0,
            lastActivity: 0,
          },
        ],
      ]),
    registry: () => ({ clients: state.clients, rooms: 1 }),
  };
}

describe('stats history', () => {
  test('5m is the last 300 seconds, 1h every second kept, 24h one sample a minute', () => {
    const s = source();
    const history = new StatsHistory(s);
    for (let i = 0; i < 400; i++) {
      s.state.clients = i % 60 === 30 ? 12 : 3; // one peak in each minute
      history.sample();
    }
    assert.equal(history.range('5m').samples.length, 300);
    assert.equal(history.range('1h').samples.length, 400);
    const day = history.range('24h');
    assert.equal(day.step, 60);
    // Six full minutes and the one under way.
    assert.equal(day.samples.length, 7);
    assert.ok(day.samples.slice(0, 6).every((m) => m.clients === 12 && m.connections === 12));
  });

  test('both rings stay bounded', () => {
    const s = source();
    const history = new StatsHistory(s, 100, 5);
    for (let i = 0; i < 60 * 9; i++) history.sample();
    assert.equal(history.range('1h').samples.length, 100);
    assert.equal(history.range('24h').samples.length, 5);
  });
});
