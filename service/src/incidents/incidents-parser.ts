import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseIsoDate, type DayNumber } from './calendar.js';

/** One incident as written in the file; `date` is always the normalized `YYYY-MM-DD`. */
interface Incident {
  readonly date: string;
  readonly [field: string]: unknown;
}

/**
 * The dated incidents, newest first (equal days in file order), in a form that crosses from the
 * parse worker as a few flat values instead of one object per incident, and that renders any day's
 * answer by slicing: the incidents before a day are a suffix of the list.
 */
export interface DatedIncidents {
  readonly ok: true;
  /** The day of each incident. */
  readonly days: Int32Array;
  /** Each incident as JSON, joined by commas: a JSON array without its brackets. */
  readonly incidentsJson: string;
  /** Where each incident's JSON ends in `incidentsJson`. */
  readonly ends: Int32Array;
  readonly skipped: number;
  readonly total: number;
}

export type ParsedIncidents = DatedIncidents | { readonly ok: false; readonly reason: string };

function oneLine(text: string): string {
  return text.split(/\r?\n/, 1)[0].trim();
}

/** The date of one list entry: a mapping with a `date` key, or a bare date. Quoted or not, a string. */
function entryDate(entry: Node | null): { date?: string; fields: Record<string, unknown> } {
  if (isScalar(entry)) {
    return { date: typeof entry.value === 'string' ? entry.value.trim() : undefined, fields: {} };
  }
  if (isMap(entry)) {
    const fields = entry.toJSON() as Record<string, unknown>;
    const date = fields.date;
    return { date: typeof date === 'string' ? date.trim() : undefined, fields };
  }
  return { fields: {} };
}

/**
 * Parses the incidents file. The core schema keeps an unquoted `2025-01-02` a string, so it stays a
 * calendar date instead of becoming a UTC timestamp that a time zone would shift by a day.
 * Entries without a real `YYYY-MM-DD` date are skipped; future ones are the renderer's concern.
 */
export function parseIncidents(text: string): ParsedIncidents {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    schema: 'core',
    prettyErrors: false,
    uniqueKeys: false,
    lineCounter,
  });
  if (document.errors.length > 0) {
    const [error] = document.errors;
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const where = ` at line ${line}, column ${col}`;
    return { ok: false, reason: `malformed YAML${where}: ${oneLine(error.message)}` };
  }
  const root = document.contents;
  if (!isMap(root)) return { ok: false, reason: 'the file must be a mapping with an "incidents" list' };
  const list = root.get('incidents', true);
  if (list === undefined) return { ok: false, reason: 'no "incidents" key in the file' };
  if (!isSeq(list)) return { ok: false, reason: '"incidents" must be a list' };
  if (list.items.length === 0) return { ok: false, reason: 'the "incidents" list is empty' };

  const dated: Array<{ day: DayNumber; incident: Incident }> = [];
  for (const item of list.items) {
    const { date, fields } = entryDate(item as Node | null);
    const day = date === undefined ? undefined : parseIsoDate(date);
    if (day === undefined || date === undefined) continue;
    dated.push({ day, incident: { ...fields, date } });
  }
  const total = list.items.length;
  if (dated.length === 0) {
    return { ok: false, reason: `none of the ${total} incidents has a valid YYYY-MM-DD date` };
  }
  // Newest first; equal days keep file order.
  dated.sort((a, b) => b.day - a.day);
  const texts = dated.map(({ incident }) => JSON.stringify(incident));
  const ends = new Int32Array(texts.length);
  let end = -1;
  texts.forEach((text, index) => {
    end += 1 + text.length;
    ends[index] = end;
  });
  return {
    ok: true,
    days: Int32Array.from(dated, ({ day }) => day),
    incidentsJson: texts.join(','),
    ends,
    skipped: total - dated.length,
    total,
  };
}
