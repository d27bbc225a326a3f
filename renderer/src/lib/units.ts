// A setting's number in the unit a person thinks in: seconds as seconds,
// minutes, hours or days; bytes as KB, MB or GB (1024-based, as the hub reads
// them). The config file keeps plain seconds or bytes, which the hub parses.
import type { SettingUnit } from '../../../server/admin/api-types';

export const UNITS: Record<SettingUnit, ReadonlyArray<readonly [string, number]>> = {
  seconds: [
    ['seconds', 1],
    ['minutes', 60],
    ['hours', 3600],
    ['days', 86_400],
  ],
  bytes: [
    ['bytes', 1],
    ['KB', 1024],
    ['MB', 1024 ** 2],
    ['GB', 1024 ** 3],
  ],
};

const SUFFIX: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024 };
for (const [p, n] of [
  ['m', 1024 ** 2],
  ['g', 1024 ** 3],
] as const) {
  SUFFIX[p] = n;
  SUFFIX[`${p}b`] = n;
  SUFFIX[`${p}ib`] = n;
}

/**
 * A raw value as an amount and a unit name: `prefer` if it is a whole number
 * of it (the unit the person picked), else the largest unit it is a whole number of.
 */
export function inUnits(
  raw: string,
  unit: SettingUnit,
  prefer?: string,
): { amount: string; unit: string } {
  const units = UNITS[unit];
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const factor =
    m && (unit === 'bytes' ? SUFFIX[m[2]!.toLowerCase()] : m[2] === '' ? 1 : undefined);
  if (!m || factor === undefined || factor === null) return { amount: raw, unit: units[0]![0] };
  const n = Number(m[1]) * factor;
  const preferred = units.find(([name]) => name === prefer);
  if (preferred && n % preferred[1] === 0)
    return { amount: String(n / preferred[1]), unit: prefer! };
  const [name, size] = [...units].reverse().find(([, s]) => n > 0 && n % s === 0) ?? units[0]!;
  return { amount: String(n / size), unit: name };
}

/** Back to the raw value the file keeps; anything not a plain number stays as typed, for the hub to judge. */
export function fromUnits(amount: string, unitName: string, unit: SettingUnit): string {
  const size = UNITS[unit].find(([name]) => name === unitName)?.[1] ?? 1;
  const a = amount.trim();
  if (a === '') return '';
  return /^\d+$/.test(a) ? String(Number(a) * size) : a;
}
