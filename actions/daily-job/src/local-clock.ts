/**
 * Wall-clock time in an IANA time zone, read through the platform's `Intl` API so daylight saving
 * and any future change to a zone's rules come from the time zone database, never from an offset
 * written in our code.
 */
export interface LocalClock {
  /** Calendar date in the zone, `YYYY-MM-DD`. */
  date: string;
  /** Minutes since local midnight (0..1439). */
  minuteOfDay: number;
  /** `HH:MM` in the zone. */
  hhmm: string;
  /** The instant as local ISO time with its offset, e.g. `2026-01-15T09:00:00+01:00`. */
  iso: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23, not hour12: false: some ICU versions print midnight as 24 with the latter.
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the platform knows the zone (`Intl` throws a RangeError for unknown names). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localClock(instant: Date, timeZone: string): LocalClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const { year, month, day, hour, minute, second } = parts;
  // longOffset is "GMT+01:00", or plain "GMT" for a zero offset.
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.replace(/^GMT/, '');
  const date = `${year}-${month}-${day}`;
  return {
    date,
    minuteOfDay: Number(hour) * 60 + Number(minute),
    hhmm: `${hour}:${minute}`,
    iso: `${date}T${hour}:${minute}:${second}${offset}`,
  };
}

/** The calendar date `days` after `date` (both `YYYY-MM-DD`); plain date arithmetic, no zone involved. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
