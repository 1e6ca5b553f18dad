import { describe, expect, it } from '@jest/globals';
import { parseIncidents } from '../src/incidents/incidents-parser.js';

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
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.dated.map(({ incident }) => incident.date)).toEqual([
      '2025-03-04',
      '2025-01-02',
      '2024-12-31',
    ]);
    expect(parsed.dated[1].incident).toEqual({ date: '2025-01-02', title: 'a' });
    expect(typeof parsed.dated[1].incident.date).toBe('string');
  });

  it('accepts bare dates as list entries', () => {
    const parsed = parseIncidents('incidents:\n  - 2025-05-06\n  - "2025-05-07"\n');
    expect(parsed.ok && parsed.dated.map(({ incident }) => incident.date)).toEqual([
      '2025-05-07',
      '2025-05-06',
    ]);
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
});
