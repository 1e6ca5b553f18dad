import { describe, expect, it } from '@jest/globals';
import type { CommitRecord } from '@incidents-pipeline/actions-lib/git';
import { renderChangelog } from '../src/changelog.js';
import { classifyCommit, highestLevel } from '../src/commits.js';

let counter = 0;
function record(message: string): CommitRecord {
  const hash = (++counter).toString(16).padStart(40, 'a');
  const [subject, ...rest] = message.split('\n');
  return { hash, subject, body: rest.join('\n').trim(), message };
}

describe('classifyCommit', () => {
  it.each([
    ['fix: crash on empty file', 'fix', 'patch', false],
    ['perf(cache): skip re-read', 'perf', 'patch', false],
    ['feat: json output', 'feat', 'minor', false],
    ['feat(api)!: drop v1 routes', 'feat', 'major', true],
    ['fix!: change exit code', 'fix', 'major', true],
    ['refactor: split module\n\nBREAKING CHANGE: config key renamed', 'refactor', 'major', true],
    ['chore: bump deps\n\nBREAKING-CHANGE: node 20 required', 'chore', 'major', true],
    ['docs: readme', 'docs', undefined, false],
    ['chore(release): 1.2.0', 'chore', undefined, false],
    ['Update README.md', undefined, undefined, false],
    ['Merge pull request #4 from org/feature', undefined, undefined, false],
    ['feature: not a conventional type', 'feature', undefined, false],
  ])('%j -> type %s, level %s', (message, type, level, breaking) => {
    const c = classifyCommit(record(message));
    expect(c.type).toBe(type);
    expect(c.level).toBe(level);
    expect(c.breaking).toBe(breaking);
  });

  it('does not treat "BREAKING CHANGE" in the middle of a sentence as a footer', () => {
    expect(classifyCommit(record('fix: mention BREAKING CHANGE: in docs')).level).toBe('patch');
  });

  it('picks the highest level of a set', () => {
    const levels = (...m: string[]) => highestLevel(m.map((x) => classifyCommit(record(x))));
    expect(levels('docs: a', 'fix: b')).toBe('patch');
    expect(levels('fix: a', 'feat: b', 'perf: c')).toBe('minor');
    expect(levels('feat: a', 'fix!: b')).toBe('major');
    expect(levels('docs: a', 'chore: b')).toBeUndefined();
    expect(levels()).toBeUndefined();
  });
});

describe('renderChangelog', () => {
  it('groups commits by type, each commit once', () => {
    const commits = [
      'feat(api)!: drop v1 routes',
      'fix: crash on empty file',
      'feat: json output',
      'perf: faster',
      'docs: readme',
      'Plain message',
    ].map((m) => classifyCommit(record(m)));
    const text = renderChangelog(commits);
    const short = (i: number) => commits[i].hash.slice(0, 7);
    expect(text).toBe(
      [
        '### Breaking changes',
        '',
        `- **api:** drop v1 routes (${short(0)})`,
        '',
        '### Features',
        '',
        `- json output (${short(2)})`,
        '',
        '### Bug fixes',
        '',
        `- crash on empty file (${short(1)})`,
        '',
        '### Performance',
        '',
        `- faster (${short(3)})`,
        '',
        '### Other changes',
        '',
        `- readme (${short(4)})`,
        `- Plain message (${short(5)})`,
      ].join('\n'),
    );
    expect(renderChangelog([])).toBe('');
  });
});
