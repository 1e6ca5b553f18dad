const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as days since 1970-01-01, so date differences are plain subtraction. */
export type DayNumber = number;

/** Parses a strict `YYYY-MM-DD` that names a real calendar day; anything else is undefined. */
export function parseIsoDate(text: string): DayNumber | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March; a round trip catches it.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return ms / DAY_MS;
}

export function formatDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Today's date in one time zone and the instant it stops being today. The instant is what keeps the
 * request path free of date math: callers compare Date.now() against it.
 */
export interface CalendarDay {
  readonly today: DayNumber;
  readonly validUntil: number;
}

export class ZonedCalendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** The wall clock in this zone at `instant`, expressed as if it were UTC milliseconds. */
  private wallClock(instant: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(instant)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const seconds = Math.floor(instant / 1000) * 1000;
    return (
      Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) +
      (instant - seconds)
    );
  }

  dayAt(instant: number): DayNumber {
    return Math.floor(this.wallClock(instant) / DAY_MS);
  }

  at(instant: number): CalendarDay {
    const today = this.dayAt(instant);
    const nextMidnightWall = (today + 1) * DAY_MS;
    // Midnight under today's offset, then under the offset at that guess: a DST switch before
    // midnight moves it. Take the earliest guess that really is tomorrow; an early guess only costs
    // one more check, a late one would serve yesterday's count.
    const first = nextMidnightWall - (this.wallClock(instant) - instant);
    const second = nextMidnightWall - (this.wallClock(first) - first);
    const tomorrow = [first, second].filter((guess) => guess > instant && this.dayAt(guess) !== today);
    // Zones that skip midnight itself: look again in a minute.
    const guess = tomorrow.length > 0 ? Math.min(...tomorrow) : instant + 60_000;
    return { today, validUntil: guess };
  }
}
