import { formatDay, type DayNumber } from './calendar.js';
import type { ParsedIncidents } from './incidents-parser.js';

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

/** Why the file on disk is not the one answered, and since when (epoch milliseconds). */
export interface Rejection {
  readonly reason: string;
  readonly since: number;
}

/**
 * Renders the parsed file for `today`: future entries are left out of the count and the list.
 * `rejected` is set when this is the last good file, answered because the current one was
 * rejected: only the JSON says so; the text answer stays the last good one byte for byte.
 */
export function renderView(
  parsed: ParsedIncidents,
  raw: Buffer,
  today: DayNumber,
  timeZone: string,
  rejected?: Rejection,
): IncidentsView {
  if (!parsed.ok) return errorView(parsed.reason);
  const { days: dayOf, ends } = parsed;
  let newest = 0;
  while (newest < dayOf.length && dayOf[newest] > today) newest += 1;
  if (newest === dayOf.length) {
    return errorView(`no incident dated on or before today (${formatDay(today)} in ${timeZone})`);
  }
  const days = today - dayOf[newest];
  const from = newest === 0 ? 0 : ends[newest - 1] + 1;
  const counted = dayOf.length - newest;
  // Assembled from the incidents' JSON bytes as parsed: a 1 MiB file's answer costs one copy, no
  // new serialization and no string of its size on the heap.
  const incidents = Buffer.from(
    parsed.incidentsJson.buffer,
    parsed.incidentsJson.byteOffset,
    parsed.incidentsJson.byteLength,
  );
  const head =
    `{"status":${JSON.stringify(statusLine(days).trimEnd())},"days":${days},` +
    `"today":${JSON.stringify(formatDay(today))},"timeZone":${JSON.stringify(timeZone)},"lastIncident":`;
  const tail =
    `],"skipped":${parsed.total - counted}` +
    (rejected === undefined
      ? '}'
      : `,"rejected":${JSON.stringify({ reason: rejected.reason, since: new Date(rejected.since).toISOString() })}}`);
  const json = Buffer.concat([
    Buffer.from(head, 'utf8'),
    incidents.subarray(from, ends[newest]),
    Buffer.from(',"incidents":[', 'utf8'),
    incidents.subarray(from),
    Buffer.from(tail, 'utf8'),
  ]);
  return {
    ok: true,
    days,
    reason: undefined,
    text: Buffer.concat([Buffer.from(statusLine(days), 'utf8'), raw]),
    json,
  };
}
