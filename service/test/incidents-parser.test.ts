import { describe, expect, it } from '@jest/globals';
import { parseIncidents, type ParsedIncidents } from '../src/incidents/incidents-parser.js';

/** The incidents as the JSON answer lists them, newest first. */
function incidentsOf(parsed: ParsedIncidents): Array<Record<string, unknown>> {
  if (!parsed.ok) throw new Error(`expected the file to be accepted: ${parsed.reason}`);
  return JSON.parse(`[${Buffer.from(parsed.incidentsJson).toString('utf8')}]`) as Array<
    Record<string, unknown>
  >;
}

function reasonOf(text: string): string {
  const parsed = parseIncidents(text);
  if (parsed.ok) throw new Error('expected the file to be rejected');
  return parsed.reason;
}

describe('parseIncidents', () => {
  it('keeps unquoted dates as calendar dates and sorts newest first', () => {
    const parsed = parseIncidents(
      'incidents:\n  - date: 2025-01-02\n    title: a\n  - date: "2025-03-04"\n  - date: 2024-12-31\n',
    );
    const incidents = incidentsOf(parsed);
    expect(incidents.map(({ date }) => date)).toEqual(['2025-03-04', '2025-01-02', '2024-12-31']);
    expect(incidents[1]).toEqual({ date: '2025-01-02', title: 'a' });
    expect(parsed.ok && [...parsed.days]).toEqual([
      Date.UTC(2025, 2, 4) / 86_400_000,
      Date.UTC(2025, 0, 2) / 86_400_000,
      Date.UTC(2024, 11, 31) / 86_400_000,
    ]);
  });

  it('accepts bare dates as list entries', () => {
    const parsed = parseIncidents('incidents:\n  - 2025-05-06\n  - "2025-05-07"\n');
    expect(incidentsOf(parsed).map(({ date }) => date)).toEqual(['2025-05-07', '2025-05-06']);
  });

  it('skips entries without a valid date and counts them', () => {
    const parsed = parseIncidents(
      'incidents:\n  - date: 2025-13-40\n  - title: no date\n  - date: 20250101\n  - date: yesterday\n  - date: 2025-02-01\n  -\n',
    );
    expect(parsed).toMatchObject({ ok: true, skipped: 5, total: 6 });
  });

  it('rejects malformed YAML with the position of the error', () => {
    expect(reasonOf('incidents:\n  - date: [2025-01-01\n')).toMatch(
      /^malformed YAML at line \d+, column \d+: /,
    );
    expect(reasonOf('a: 1\na: 2\n: : :\n\t- x')).toMatch(/^malformed YAML/);
  });

  it('rejects a file without an incidents list', () => {
    expect(reasonOf('events:\n  - date: 2025-01-01\n')).toBe('no "incidents" key in the file');
    expect(reasonOf('')).toBe('the file must be a mapping with an "incidents" list');
    expect(reasonOf('- date: 2025-01-01\n')).toBe('the file must be a mapping with an "incidents" list');
    expect(reasonOf('incidents: 2025-01-01\n')).toBe('"incidents" must be a list');
    expect(reasonOf('incidents:\n')).toBe('"incidents" must be a list');
  });

  it('rejects an empty list and a list with only invalid dates', () => {
    expect(reasonOf('incidents: []\n')).toBe('the "incidents" list is empty');
    expect(reasonOf('incidents:\n  - date: 2025-13-40\n  - date: soon\n')).toBe(
      'none of the 2 incidents has a valid YYYY-MM-DD date',
    );
  });

  it('gives one-line reasons', () => {
    for (const text of ['incidents:\n  - date: [\n', 'x: "unterminated\n', 'incidents:\n  - &a [*a\n']) {
      expect(reasonOf(text).split('\n')).toHaveLength(1);
    }
  });

  it('keeps every field of an entry, and a __proto__ key is data, not a prototype', () => {
    const parsed = parseIncidents('incidents:\n  - date: 2025-01-01\n    __proto__: {polluted: true}\n');
    expect(incidentsOf(parsed)).toEqual([JSON.parse('{"date":"2025-01-01","__proto__":{"polluted":true}}')]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes aliases out where they are used', () => {
    const parsed = parseIncidents(
      'common: &team [ops, db]\nincidents:\n  - date: 2025-01-01\n    teams: *team\n  - date: 2024-01-01\n    teams: *team\n',
    );
    expect(incidentsOf(parsed).map(({ teams }) => teams)).toEqual([
      ['ops', 'db'],
      ['ops', 'db'],
    ]);
  });

  it('refuses aliases that would multiply the file in the answer, or that contain themselves', () => {
    // Ten aliases per level, four levels: 100,000 values, 400 kB of JSON, from a few hundred bytes.
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 5; level += 1) {
      levels.push(
        `l${level}: &l${level} [${Array(10)
          .fill(`*l${level - 1}`)
          .join(', ')}]`,
      );
    }
    const laughs = `${levels.join('\n')}\nincidents:\n  - date: 2025-01-01\n    x: *l4\n`;
    expect(reasonOf(laughs)).toMatch(
      /^aliases expand the incidents to \d+ characters of JSON, over the limit of \d+$/,
    );
    // Few values, but each a long string: 3,000 uses of 3 kB, 9 MB of JSON from a 4 kB file.
    const long = `s: &s "${'x'.repeat(3000)}"\nb: &b [${Array(100).fill('*s').join(', ')}]\n`;
    const strings = `${long}incidents:\n  - date: 2025-01-01\n    x: [${Array(30).fill('*b').join(', ')}]\n`;
    expect(reasonOf(strings)).toMatch(/^aliases expand the incidents to \d+ characters of JSON/);
    expect(reasonOf('incidents:\n  - &a [*a]\n')).toBe('an alias refers to a value that contains it');
  });

  it('rejects more than one document', () => {
    expect(reasonOf('incidents:\n  - 2025-01-01\n---\nincidents:\n  - 2025-01-02\n')).toMatch(
      /^malformed YAML.*: expected a single document/,
    );
  });
});
