import { describe, expect, it } from '@jest/globals';
import { parseIsoDate } from '../src/incidents/calendar.js';
import { parseIncidents } from '../src/incidents/incidents-parser.js';
import { renderView, statusLine } from '../src/incidents/incidents-view.js';

const today = parseIsoDate('2026-11-25')!;

function view(text: string) {
  return renderView(parseIncidents(text), Buffer.from(text, 'utf8'), today, 'UTC');
}

describe('renderView', () => {
  it('says "1 day" but "N days"', () => {
    expect(statusLine(0)).toBe('status: 0 days since the last incident\n');
    expect(statusLine(1)).toBe('status: 1 day since the last incident\n');
    expect(statusLine(2)).toBe('status: 2 days since the last incident\n');
  });

  it('puts the raw file after the status line, byte for byte', () => {
    const text = '# café ☕\r\nincidents:\r\n  - date: 2026-11-24 # yesterday\r\n';
    const rendered = view(text);
    expect(rendered.ok).toBe(true);
    expect(rendered.text.equals(Buffer.concat([Buffer.from(statusLine(1)), Buffer.from(text, 'utf8')]))).toBe(
      true,
    );
  });

  it('leaves future incidents out of the count and the list', () => {
    const rendered = view('incidents:\n  - date: 2026-12-01\n  - date: 2026-11-20\n  - date: 2026-11-25\n');
    expect(rendered.days).toBe(0);
    const json = JSON.parse(rendered.json.toString());
    expect(json.incidents.map((incident: { date: string }) => incident.date)).toEqual([
      '2026-11-25',
      '2026-11-20',
    ]);
    expect(json).toMatchObject({
      days: 0,
      today: '2026-11-25',
      timeZone: 'UTC',
      skipped: 1,
      lastIncident: { date: '2026-11-25' },
    });
  });

  it('fails when every incident is in the future', () => {
    const rendered = view('incidents:\n  - date: 2027-01-01\n');
    expect(rendered.ok).toBe(false);
    expect(rendered.text.toString()).toBe(
      'error: no incident dated on or before today (2026-11-25 in UTC)\n',
    );
  });
});
