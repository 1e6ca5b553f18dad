import { describe, expect, it } from '@jest/globals';
import type { HistoryEntry } from '../src/helm.js';
import { chooseRollbackRevision, historyMarkdown, imageOfValues } from '../src/release-rollback.js';

const entry = (
  revision: number,
  status: HistoryEntry['status'],
  appVersion = `0.${revision}.0`,
): HistoryEntry => ({
  revision,
  status,
  appVersion,
  updated: `2026-11-${10 + revision}T09:00:00Z`,
  chart: 'incidents-service-0.1.0',
  description:
    status === 'failed' ? 'Upgrade "incidents-service" failed: timed out | waiting' : 'Upgrade complete',
});

describe('chooseRollbackRevision', () => {
  it('takes the newest revision below the current one that served', () => {
    const history = [entry(1, 'superseded'), entry(2, 'superseded'), entry(3, 'deployed')];
    expect(chooseRollbackRevision('r', history)).toEqual({ revision: 2, current: 3 });
  });

  it('skips failed revisions: after a failed C over B, the default is B, not C', () => {
    const history = [entry(1, 'superseded'), entry(2, 'deployed'), entry(3, 'failed')];
    expect(chooseRollbackRevision('r', history)).toEqual({ revision: 2, current: 3 });
  });

  it('after a failed C that Helm rolled back to B, goes back to A: the current revision already runs B', () => {
    const history = [
      entry(1, 'superseded'),
      entry(2, 'superseded'),
      entry(3, 'failed'),
      { ...entry(4, 'deployed', '0.2.0'), description: 'Rollback to 2' },
    ];
    expect(chooseRollbackRevision('r', history)).toEqual({ revision: 1, current: 4 });
  });

  it('follows rollbacks of rollbacks to what they run', () => {
    const history = [
      entry(1, 'superseded'),
      entry(2, 'superseded'),
      { ...entry(3, 'superseded', '0.1.0'), description: 'Rollback to 1' },
      { ...entry(4, 'deployed', '0.1.0'), description: 'Rollback to 3' },
    ];
    expect(chooseRollbackRevision('r', history)).toEqual({ revision: 2, current: 4 });
  });

  it('takes a revision asked for, and warns when it is one that failed', () => {
    const history = [entry(1, 'superseded'), entry(2, 'failed'), entry(3, 'deployed')];
    expect(chooseRollbackRevision('r', history, 1)).toEqual({ revision: 1, current: 3, warning: undefined });
    expect(chooseRollbackRevision('r', history, 2).warning).toMatch(/deploy failed/);
  });

  it.each([
    [[], undefined, /release r does not exist/],
    [[entry(1, 'deployed')], undefined, /no earlier revision that served \(revisions kept: 1\)/],
    [[entry(1, 'superseded'), entry(2, 'deployed')], 5, /has no revision 5/],
    [[entry(1, 'superseded'), entry(2, 'deployed')], 2, /is the current one/],
  ])('refuses %j / %s', (history, requested, message) => {
    expect(() => chooseRollbackRevision('r', history, requested)).toThrow(message);
  });
});

describe('historyMarkdown', () => {
  const history = [1, 2, 3, 4, 5, 6, 7].map((r) => entry(r, r === 7 ? 'failed' : 'superseded'));

  it('shows the last five revisions, newest first, with version, date and status', () => {
    const rows = historyMarkdown(history)
      .split('\n')
      .filter((l) => /^\| \d/.test(l));
    expect(rows.map((r) => Number(r.split('|')[1]))).toEqual([7, 6, 5, 4, 3]);
    expect(rows[0]).toBe(
      '| 7 | 0.7.0 | 2026-11-17T09:00:00Z | failed | Upgrade "incidents-service" failed: timed out \\| waiting |',
    );
  });

  it('is empty without history', () => {
    expect(historyMarkdown([])).toBe('');
  });
});

describe('imageOfValues', () => {
  it('names repository, tag and digest, and nothing else of the values', () => {
    expect(
      imageOfValues({ image: { repository: 'r/incidents', tag: '1.2.3', digest: 'sha256:ab' }, token: 'x' }),
    ).toBe('r/incidents:1.2.3@sha256:ab');
    expect(imageOfValues({}, '0.4.0')).toBe('(chart default):0.4.0 (appVersion)');
  });
});
