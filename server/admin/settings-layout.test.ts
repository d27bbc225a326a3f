// Every setting of the schema is on the dashboard's Settings page, in a group
// with a label in words, or marked file-only with a reason; the page itself
// is checked in dashboard.browser.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SETTINGS } from '../config/schema';
import { SETTING_GROUPS } from './api-types';
import { isFileOnly, SETTING_LAYOUT } from './settings-layout';

describe('the Settings page layout', () => {
  test('each setting is placed on the page or marked file-only with a reason', () => {
    const unplaced: string[] = [];
    for (const s of SETTINGS) {
      const place = SETTING_LAYOUT[s.key] as (typeof SETTING_LAYOUT)[typeof s.key] | undefined;
      if (!place) unplaced.push(s.key);
      else if (isFileOnly(place)) assert.ok(place.fileOnly.length >= 20, `${s.key}: a reason`);
      else {
        assert.ok((SETTING_GROUPS as readonly string[]).includes(place.group), s.key);
        assert.notEqual(place.label, s.key, `${s.key}: a label in words`);
        assert.doesNotMatch(place.label, /`/, s.key);
      }
    }
    assert.deepEqual(unplaced, [], 'settings neither on the page nor file-only');
  });

  test('the layout names no setting the schema does not have', () => {
    const keys = new Set<string>(SETTINGS.map((s) => s.key));
    assert.deepEqual(
      Object.keys(SETTING_LAYOUT).filter((k) => !keys.has(k)),
      [],
    );
  });

  test('a setting in seconds or bytes gets a unit', () => {
    for (const s of SETTINGS) {
      const place = SETTING_LAYOUT[s.key];
      if (isFileOnly(place)) continue;
      if (/Seconds$/.test(s.key)) assert.equal(place.unit, 'seconds', s.key);
      if (/Bytes$/.test(s.key)) assert.equal(place.unit, 'bytes', s.key);
    }
  });
});
