import { addDays, localClock } from './local-clock.js';

/**
 * Whether the daily call is due at a given instant. GitHub's cron runs in UTC and cannot follow a
 * local clock through daylight saving, so the workflow fires at every UTC hour the local start time
 * can fall on and this gate keeps the one trigger that lands inside `[time, time + windowMinutes)`
 * local time. A late trigger (GitHub delays scheduled runs under load) still runs while the window
 * is open.
 */
export interface GateInput {
  now: Date;
  /** IANA zone name, e.g. `Europe/Vienna`. */
  timezone: string;
  /** Local opening time of the window, `HH:MM` (24-hour). */
  time: string;
  windowMinutes: number;
  force: boolean;
}

export interface GateDecision {
  run: boolean;
  reason: string;
  /** Local time of `now` with its offset, e.g. `2026-01-15T09:00:00+01:00`. */
  localTime: string;
  /** Calendar date of `now` in the zone. */
  localDate: string;
  /**
   * The date of the daily window `now` belongs to: days start at the window's opening time, so a
   * window that crosses midnight (23:30 + 60 minutes) is still one day, and a manual run at 08:30
   * counts towards the day before rather than using up the 09:00 call.
   */
  jobDate: string;
}

export function formatMinute(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** The date of the daily window that `instant` falls in (see `GateDecision.jobDate`). */
export function jobDateOf(instant: Date, timeZone: string, startMinute: number): string {
  const clock = localClock(instant, timeZone);
  return clock.minuteOfDay >= startMinute ? clock.date : addDays(clock.date, -1);
}

/** Minutes after midnight of an `HH:MM` time, or `undefined` when it is not one. */
export function parseTime(time: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function decide(input: GateInput): GateDecision {
  const startMinute = parseTime(input.time);
  if (startMinute === undefined) throw new RangeError(`time must be HH:MM, got '${input.time}'`);
  const clock = localClock(input.now, input.timezone);
  const jobDate = jobDateOf(input.now, input.timezone, startMinute);
  const window = `${input.time}–${formatMinute(startMinute + input.windowMinutes)} ${input.timezone}`;
  const base = { localTime: clock.iso, localDate: clock.date, jobDate };
  if (input.force) {
    return {
      ...base,
      run: true,
      reason: `forced at ${clock.hhmm} ${input.timezone}; the window ${window} does not apply`,
    };
  }
  const minutesIntoWindow = (clock.minuteOfDay - startMinute + 1440) % 1440;
  if (minutesIntoWindow < input.windowMinutes) {
    return { ...base, run: true, reason: `${clock.hhmm} is inside the daily window ${window}` };
  }
  return { ...base, run: false, reason: `${clock.hhmm} is outside the daily window ${window}` };
}
