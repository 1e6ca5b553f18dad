import { describe, expect, test } from '@jest/globals';
import { decide, parseTime } from '../src/gate.js';

const vienna = { timezone: 'Europe/Vienna', time: '09:00', windowMinutes: 60, force: false };
const at = (iso: string, overrides: Partial<typeof vienna> = {}) =>
  decide({ ...vienna, ...overrides, now: new Date(iso) });

// The gate reads any instant in the zone. With `timezone:` GitHub fires the crons at local time, so
// the gate mostly confirms them; it decides alone where a cron is read in UTC (act, GitHub Enterprise
// Server without the key) and for a run GitHub started late. These cases are those UTC instants.
describe('the daily window in Europe/Vienna', () => {
  test('winter (CET, UTC+1): a run at 08:00 UTC is 09:00 local and calls, one at 07:00 UTC is 08:00 and skips', () => {
    const run = at('2026-01-15T08:00:00Z');
    expect(run).toMatchObject({ run: true, localTime: '2026-01-15T09:00:00+01:00', localDate: '2026-01-15' });
    const skip = at('2026-01-15T07:00:00Z');
    expect(skip).toMatchObject({ run: false, localTime: '2026-01-15T08:00:00+01:00' });
    expect(skip.reason).toBe('08:00 is outside the daily window 09:00–10:00 Europe/Vienna');
  });

  test('summer (CEST, UTC+2): a run at 07:00 UTC is 09:00 local and calls, one at 08:00 UTC is 10:00 and skips', () => {
    expect(at('2026-07-15T07:00:00Z')).toMatchObject({ run: true, localTime: '2026-07-15T09:00:00+02:00' });
    expect(at('2026-07-15T08:00:00Z')).toMatchObject({ run: false, localTime: '2026-07-15T10:00:00+02:00' });
  });

  test('29 March 2026 (clocks go forward at 01:00 UTC): a run at 07:00 UTC calls, one at 08:00 UTC skips', () => {
    expect(at('2026-03-29T07:00:00Z')).toMatchObject({ run: true, localTime: '2026-03-29T09:00:00+02:00' });
    expect(at('2026-03-29T08:00:00Z').run).toBe(false);
    // The day before is still winter: the other hour.
    expect(at('2026-03-28T07:00:00Z').run).toBe(false);
    expect(at('2026-03-28T08:00:00Z').run).toBe(true);
  });

  test('25 October 2026 (clocks go back at 01:00 UTC): a run at 08:00 UTC calls, one at 07:00 UTC skips', () => {
    expect(at('2026-10-25T07:00:00Z')).toMatchObject({ run: false, localTime: '2026-10-25T08:00:00+01:00' });
    expect(at('2026-10-25T08:00:00Z')).toMatchObject({ run: true, localTime: '2026-10-25T09:00:00+01:00' });
    expect(at('2026-10-24T07:00:00Z').run).toBe(true);
    expect(at('2026-10-24T08:00:00Z').run).toBe(false);
  });

  test('on every day of 2026 exactly one of 07:00 and 08:00 UTC is inside the window', () => {
    const days: string[] = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const runs = [at(`${date}T07:00:00Z`).run, at(`${date}T08:00:00Z`).run].filter(Boolean).length;
      if (runs !== 1) days.push(date);
    }
    expect(days).toEqual([]);
  });

  test('a delayed trigger still runs while the window is open, and not once it has closed', () => {
    expect(at('2026-01-15T08:47:00Z')).toMatchObject({ run: true, localTime: '2026-01-15T09:47:00+01:00' });
    expect(at('2026-01-15T08:59:59Z').run).toBe(true);
    expect(at('2026-01-15T09:00:00Z').run).toBe(false);
    expect(at('2026-07-15T07:59:00Z').run).toBe(true);
  });

  test('outside the window: early, late and at night', () => {
    for (const iso of ['2026-01-15T07:59:59Z', '2026-01-15T12:00:00Z', '2026-01-15T23:30:00Z']) {
      expect(at(iso).run).toBe(false);
    }
  });

  test('force runs at any hour and says so', () => {
    const forced = at('2026-01-15T02:00:00Z', { force: true });
    expect(forced.run).toBe(true);
    expect(forced.reason).toBe(
      'forced at 03:00 Europe/Vienna; the window 09:00–10:00 Europe/Vienna does not apply',
    );
  });
});

describe('other zones and windows', () => {
  test('a half-hour offset zone comes from the time zone database, not from our code', () => {
    expect(at('2026-01-15T03:30:00Z', { timezone: 'Asia/Kolkata' })).toMatchObject({
      run: true,
      localTime: '2026-01-15T09:00:00+05:30',
    });
  });

  test('UTC reads as +00:00', () => {
    expect(at('2026-01-15T09:10:00Z', { timezone: 'UTC' }).localTime).toBe('2026-01-15T09:10:00+00:00');
  });

  test('a window across midnight belongs to the day it opened', () => {
    const late = { time: '23:30', windowMinutes: 60 };
    const afterMidnight = at('2026-01-15T23:10:00Z', late); // 00:10 on the 16th in Vienna
    expect(afterMidnight).toMatchObject({ run: true, localDate: '2026-01-16', jobDate: '2026-01-15' });
    expect(at('2026-01-15T22:40:00Z', late)).toMatchObject({ run: true, jobDate: '2026-01-15' });
    expect(at('2026-01-15T23:31:00Z', late).run).toBe(false);
  });

  test('a run before the opening time counts towards the previous day', () => {
    expect(at('2026-01-15T07:30:00Z', { force: true }).jobDate).toBe('2026-01-14');
    expect(at('2026-01-15T08:00:00Z').jobDate).toBe('2026-01-15');
  });

  test('a whole-day window always runs', () => {
    expect(at('2026-01-15T07:59:00Z', { windowMinutes: 1440 }).run).toBe(true);
  });

  test('parseTime accepts HH:MM only', () => {
    expect(parseTime('09:00')).toBe(540);
    expect(parseTime('23:59')).toBe(1439);
    for (const bad of ['9:00', '24:00', '09:60', '0900', '09:00:00', ''])
      expect(parseTime(bad)).toBeUndefined();
    expect(() => at('2026-01-15T08:00:00Z', { time: '9am' })).toThrow(/HH:MM/);
  });
});
