import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
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

/**
 * Aliases share one value in the loaded data, but the JSON answer writes it out at every use, so a
 * few kilobytes of nested aliases can stand for billions of values ("billion laughs"). Beyond this
 * many values per byte of the file, plus a fixed allowance, the file is refused before it is
 * serialized. Without aliases a file never comes near it: every value takes at least one byte.
 */
const MAX_VALUES_PER_BYTE = 2;
const MAX_VALUES_ALLOWANCE = 10_000;

function oneLine(text: string): string {
  return text.split(/\r?\n/, 1)[0].trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The date of one list entry: a mapping with a `date` key, or a bare date. Quoted or not, a string. */
function entryDate(entry: unknown): { date?: string; fields: Record<string, unknown> } {
  if (typeof entry === 'string') return { date: entry.trim(), fields: {} };
  if (isRecord(entry)) {
    const date = entry.date;
    return { date: typeof date === 'string' ? date.trim() : undefined, fields: entry };
  }
  return { fields: {} };
}

class AliasError extends Error {}

/**
 * How many values `root` stands for once every alias is written out, counted without writing them:
 * each shared value is counted once and reused. Throws when a value contains itself (`&a [*a]`).
 */
function expandedSize(root: unknown): number {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const size = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) throw new AliasError('an alias refers to a value that contains it');
    open.add(value);
    let total = 1;
    for (const child of Object.values(value)) total += size(child);
    open.delete(value);
    sizes.set(value, total);
    return total;
  };
  return size(root);
}

function refusal(error: unknown): string {
  if (error instanceof YAMLException) {
    // js-yaml counts lines and columns from 0; editors count from 1.
    const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : '';
    return `malformed YAML${where}: ${oneLine(error.reason)}`;
  }
  if (error instanceof AliasError) return error.message;
  return `cannot read the incidents: ${oneLine(error instanceof Error ? error.message : String(error))}`;
}

/**
 * Parses the incidents file with js-yaml's core schema. That schema has no timestamp type, so an
 * unquoted `2025-01-02` stays a string and a calendar date instead of becoming a UTC timestamp that a
 * time zone would shift by a day. js-yaml builds plain values directly, with no syntax tree: measured
 * on a dense 1 MiB file, about 0.1 s and 30 MB against 1–1.4 s and 150 MB for the `yaml` package's
 * document API, whose peak did not fit the chart's memory limit. Duplicate keys keep the last value.
 * Entries without a real `YYYY-MM-DD` date are skipped; future ones are the renderer's concern.
 * Never throws: every failure is a one-line reason.
 */
export function parseIncidents(text: string): ParsedIncidents {
  try {
    return datedIncidents(load(text, { schema: CORE_SCHEMA, json: true }), text.length);
  } catch (error) {
    // Besides malformed YAML: a value that contains itself, or aliases nested deeper than the stack.
    return { ok: false, reason: refusal(error) };
  }
}

function datedIncidents(root: unknown, textLength: number): ParsedIncidents {
  if (!isRecord(root)) return { ok: false, reason: 'the file must be a mapping with an "incidents" list' };
  if (!Object.hasOwn(root, 'incidents')) return { ok: false, reason: 'no "incidents" key in the file' };
  const list = root.incidents;
  if (!Array.isArray(list)) return { ok: false, reason: '"incidents" must be a list' };
  if (list.length === 0) return { ok: false, reason: 'the "incidents" list is empty' };

  const limit = MAX_VALUES_ALLOWANCE + MAX_VALUES_PER_BYTE * textLength;
  const values = expandedSize(list);
  if (values > limit) {
    return {
      ok: false,
      reason: `aliases expand the incidents to ${values} values, over the limit of ${limit}`,
    };
  }

  const dated: Array<{ day: DayNumber; incident: Incident }> = [];
  for (const item of list as unknown[]) {
    const { date, fields } = entryDate(item);
    const day = date === undefined ? undefined : parseIsoDate(date);
    if (day === undefined || date === undefined) continue;
    dated.push({ day, incident: { ...fields, date } });
  }
  const total = list.length;
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
