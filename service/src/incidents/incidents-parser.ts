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
  /**
   * Each incident as JSON, joined by commas (a JSON array without its brackets), in UTF-8: the
   * answer is assembled from these bytes by slicing, and the worker hands them over without a copy.
   */
  readonly incidentsJson: Uint8Array;
  /** The byte offset where each incident's JSON ends in `incidentsJson`. */
  readonly ends: Int32Array;
  readonly skipped: number;
  readonly total: number;
}

export type ParsedIncidents = DatedIncidents | { readonly ok: false; readonly reason: string };

/**
 * Aliases share one value in the loaded data, but the JSON answer writes it out at every use, so a
 * few kilobytes of nested aliases can stand for gigabytes of JSON ("billion laughs"). A file whose
 * incidents would take more JSON than this many characters per byte of the file, plus a fixed
 * allowance, is refused before anything is serialized. Without aliases no file comes near it: the
 * densest files measured (lists of bare dates, flow lists, keys without values) take at most two.
 */
const MAX_JSON_PER_BYTE = 4;
const MAX_JSON_ALLOWANCE = 65_536;

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
 * About how many characters `root` takes as JSON once every alias is written out, counted without
 * writing it: each shared value is measured once and reused (escapes are not counted). Throws when a
 * value contains itself (`&a [*a]`).
 */
function jsonLength(root: unknown): number {
  const lengths = new Map<object, number>();
  const open = new Set<object>();
  const length = (value: unknown): number => {
    if (typeof value === 'string') return value.length + 2;
    if (typeof value !== 'object' || value === null) return String(value).length;
    const known = lengths.get(value);
    if (known !== undefined) return known;
    if (open.has(value)) throw new AliasError('an alias refers to a value that contains it');
    open.add(value);
    // Brackets and separators, then each member (with its quoted key and colon, in a mapping).
    const entries = Object.entries(value);
    let total = 1 + entries.length;
    for (const [key, child] of entries) total += length(child) + (Array.isArray(value) ? 0 : key.length + 3);
    open.delete(value);
    lengths.set(value, total);
    return total;
  };
  return length(root);
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

  const limit = MAX_JSON_ALLOWANCE + MAX_JSON_PER_BYTE * textLength;
  const length = jsonLength(list);
  if (length > limit) {
    return {
      ok: false,
      reason: `aliases expand the incidents to ${length} characters of JSON, over the limit of ${limit}`,
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
    end += 1 + Buffer.byteLength(text, 'utf8');
    ends[index] = end;
  });
  return {
    ok: true,
    days: Int32Array.from(dated, ({ day }) => day),
    // Bytes of their own, never a slice of Buffer's shared pool, so the worker can transfer them.
    incidentsJson: new TextEncoder().encode(texts.join(',')),
    ends,
    skipped: total - dated.length,
    total,
  };
}
