// The addToken expiration format (docs/protocols/zwibbler.md#the-expiration-format):
// RFC 1123 with a zone abbreviation, parsed as Go's time.Parse(time.RFC1123, …)
// does on a server whose zone is UTC.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRfc1123 } from './rfc1123';

describe('parseRfc1123', () => {
  test('the reference example parses to its UTC instant', () => {
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 01:57:27 GMT'), Date.UTC(2026, 10, 22, 1, 57, 27));
  });

  test('every month name, and the bounds of each field, parse', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'];
    months.push('Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec');
    months.forEach((name, i) => {
      assert.equal(parseRfc1123(`Mon, 01 ${name} 2030 00:00:00 GMT`), Date.UTC(2030, i, 1));
    });
    assert.equal(parseRfc1123('Fri, 31 Dec 1999 23:59:59 GMT'), Date.UTC(1999, 11, 31, 23, 59, 59));
    // 29 Feb exists in a leap year only.
    assert.equal(parseRfc1123('Thu, 29 Feb 2024 12:00:00 GMT'), Date.UTC(2024, 1, 29, 12));
    assert.equal(parseRfc1123('Thu, 29 Feb 2023 12:00:00 GMT'), undefined);
  });

  test('what Date#toUTCString prints round-trips', () => {
    const ms = Date.UTC(2031, 4, 7, 8, 9, 10);
    assert.equal(parseRfc1123(new Date(ms).toUTCString()), ms);
  });

  test('a weekday that does not match the date is ignored, as Go does', () => {
    // 22 Nov 2026 is a Sunday; Go checks the weekday's spelling, not its value.
    assert.equal(parseRfc1123('Wed, 22 Nov 2026 01:57:27 GMT'), Date.UTC(2026, 10, 22, 1, 57, 27));
  });

  test('a misspelt or spelt-out weekday is refused', () => {
    assert.equal(parseRfc1123('Sunday, 22 Nov 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('Snu, 22 Nov 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('22 Nov 2026 01:57:27 GMT'), undefined);
  });

  test('a single-digit day is refused (the layout says 02)', () => {
    assert.equal(parseRfc1123('Mon, 2 Nov 2026 01:57:27 GMT'), undefined);
  });

  test('a day that the month does not have is refused, not rolled over', () => {
    assert.equal(parseRfc1123('Tue, 31 Feb 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('Tue, 31 Apr 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('Tue, 00 Apr 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('Tue, 32 Jan 2026 01:57:27 GMT'), undefined);
  });

  test('hour 24, minute 60 and second 60 are refused', () => {
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 24:00:00 GMT'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 23:60:00 GMT'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 23:59:60 GMT'), undefined);
  });

  test('an unknown month or other formats are refused', () => {
    assert.equal(parseRfc1123('Sun, 22 Foo 2026 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('2026-11-22T01:57:27Z'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 01:57:27 +0000'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 26 01:57:27 GMT'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 01:57 GMT'), undefined);
    assert.equal(parseRfc1123('Sun, 22 Nov 2026 01:57:27'), undefined);
    assert.equal(parseRfc1123(''), undefined);
    assert.equal(parseRfc1123('1795312647'), undefined);
  });

  test('any zone abbreviation, known or not, is taken as GMT (offset 0)', () => {
    const gmt = Date.UTC(2026, 10, 22, 1, 57, 27);
    for (const zone of ['UTC', 'XYZ', 'EST', 'PST', 'CEST']) {
      assert.equal(parseRfc1123(`Sun, 22 Nov 2026 01:57:27 ${zone}`), gmt, zone);
    }
  });
});

test('day and month names are matched in any case, as Go does', () => {
  assert.equal(parseRfc1123('sun, 22 nov 2026 01:57:27 GMT'), Date.UTC(2026, 10, 22, 1, 57, 27));
  assert.equal(parseRfc1123('SUN, 22 NOV 2026 01:57:27 GMT'), Date.UTC(2026, 10, 22, 1, 57, 27));
});
