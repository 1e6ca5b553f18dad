import { formatDay, type DayNumber } from './calendar.js';
import type { Incident, ParsedIncidents } from './incidents-parser.js';

/** Everything `/` and `/readyz` answer for one file version on one day, rendered once. */
export interface IncidentsView {
  readonly ok: boolean;
  /** Days since the newest counted incident; undefined when not ok. */
  readonly days: number | undefined;
  /** One line, why the file cannot be served; undefined when ok. */
  readonly reason: string | undefined;
  readonly text: Buffer;
  readonly json: Buffer;
}

export function statusLine(days: number): string {
  return `status: ${days} ${days === 1 ? 'day' : 'days'} since the last incident\n`;
}

export function errorView(reason: string): IncidentsView {
  return {
    ok: false,
    days: undefined,
    reason,
    text: Buffer.from(`error: ${reason}\n`, 'utf8'),
    json: Buffer.from(JSON.stringify({ error: reason }), 'utf8'),
  };
}

/** Renders the parsed file for `today`: future entries are left out of the count and the list. */
export function renderView(
  parsed: ParsedIncidents,
  raw: Buffer,
  today: DayNumber,
  timeZone: string,
): IncidentsView {
  if (!parsed.ok) return errorView(parsed.reason);
  const counted: Incident[] = [];
  for (const { day, incident } of parsed.dated) if (day <= today) counted.push(incident);
  if (counted.length === 0) {
    return errorView(`no incident dated on or before today (${formatDay(today)} in ${timeZone})`);
  }
  const newest = parsed.dated.find(({ day }) => day <= today)!;
  const days = today - newest.day;
  const json = {
    status: statusLine(days).trimEnd(),
    days,
    today: formatDay(today),
    timeZone,
    lastIncident: newest.incident,
    incidents: counted,
    skipped: parsed.total - counted.length,
  };
  return {
    ok: true,
    days,
    reason: undefined,
    text: Buffer.concat([Buffer.from(statusLine(days), 'utf8'), raw]),
    json: Buffer.from(JSON.stringify(json), 'utf8'),
  };
}
