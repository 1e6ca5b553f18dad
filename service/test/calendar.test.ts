import { describe, expect, it } from '@jest/globals';
import { formatDay, parseIsoDate, ZonedCalendar } from '../src/incidents/calendar.js';

describe('parseIsoDate', () => {
  it('accepts real calendar days, leap days included', () => {
    expect(formatDay(parseIsoDate('2025-01-02')!)).toBe('2025-01-02');
    expect(formatDay(parseIsoDate('2024-02-29')!)).toBe('2024-02-29');
    expect(parseIsoDate('1970-01-02')).toBe(1);
  });

  it.each([
    '2025-13-40',
    '2025-02-29',
    '2025-04-31',
    '2025-00-10',
    '2025-1-2',
    '20250102',
    '2025-01-02T00:00:00Z',
    '',
  ])('rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
  });
});

describe('ZonedCalendar', () => {
  const at = (iso: string) => Date.parse(iso);

  it('names the day of the configured zone, not of UTC', () => {
    const instant = at('2026-01-01T23:30:00Z');
    expect(formatDay(new ZonedCalendar('UTC').dayAt(instant))).toBe('2026-01-01');
    expect(formatDay(new ZonedCalendar('Europe/Vienna').dayAt(instant))).toBe('2026-01-02');
    expect(formatDay(new ZonedCalendar('America/New_York').dayAt(instant))).toBe('2026-01-01');
  });

  // The cached view is valid until exactly the next local midnight: one millisecond earlier it is
  // still today, at that instant it is tomorrow. DST days are where a naive 24 h step goes wrong.
  it.each([
    ['UTC', '2026-06-15T12:00:00Z', '2026-06-16T00:00:00.000Z'],
    ['Europe/Vienna', '2026-03-28T12:00:00Z', '2026-03-28T23:00:00.000Z'],
    ['Europe/Vienna', '2026-03-29T12:00:00Z', '2026-03-29T22:00:00.000Z'],
    ['Europe/Vienna', '2026-10-25T00:30:00Z', '2026-10-25T23:00:00.000Z'],
    ['America/Sao_Paulo', '2026-11-25T02:00:00Z', '2026-11-25T03:00:00.000Z'],
    ['Asia/Kolkata', '2026-11-25T12:00:00Z', '2026-11-25T18:30:00.000Z'],
    ['Pacific/Chatham', '2026-09-27T00:00:00Z', '2026-09-27T10:15:00.000Z'],
  ])('in %s at %s the day ends at %s', (zone, now, midnight) => {
    const calendar = new ZonedCalendar(zone);
    const { today, validUntil } = calendar.at(at(now));
    expect(new Date(validUntil).toISOString()).toBe(midnight);
    expect(calendar.dayAt(validUntil - 1)).toBe(today);
    expect(calendar.dayAt(validUntil)).toBe(today + 1);
  });

  it('never promises a day longer than it is where midnight itself is skipped', () => {
    // America/Santiago moves clocks from 00:00 to 01:00 on the first Sunday of September.
    const calendar = new ZonedCalendar('America/Santiago');
    let instant = at('2026-09-05T12:00:00Z');
    const { today } = calendar.at(instant);
    for (let step = 0; step < 200; step += 1) {
      const day = calendar.at(instant);
      expect(day.validUntil).toBeGreaterThan(instant);
      if (day.today !== today) break;
      // Whatever it promises, the promise holds up to its last millisecond.
      expect(calendar.dayAt(day.validUntil - 1)).toBe(today);
      instant = day.validUntil;
    }
    expect(calendar.dayAt(instant)).toBe(today + 1);
  });
});
