import { describe, expect, it } from '@jest/globals';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { parseTag, parseVersion, releaseTagsOf } from '@incidents-pipeline/actions-lib/version';
import { classifyCommit } from '../src/commits.js';
import { planNext, type NextOptions } from '../src/next-version.js';
import { planValidate } from '../src/validate-tag.js';

const options = (over: Partial<NextOptions> = {}): NextOptions => ({
  bump: 'auto',
  prefix: 'v',
  prerelease: undefined,
  initialVersion: parseVersion('0.1.0'),
  ...over,
});
const commits = (...messages: string[]) =>
  messages.map((message, i) =>
    classifyCommit({ hash: String(i).padStart(40, '0'), subject: message.split('\n')[0], body: '', message }),
  );
const tags = (...names: string[]) => releaseTagsOf(names, 'v');

describe('planNext', () => {
  it('bumps by the highest conventional commit since the newest stable tag', () => {
    expect(planNext(options(), tags('v1.2.3'), commits('fix: a')).version).toBe('1.2.4');
    expect(planNext(options(), tags('v1.2.3'), commits('fix: a', 'feat: b')).version).toBe('1.3.0');
    expect(planNext(options(), tags('v1.2.3'), commits('fix: a', 'feat!: b'))).toMatchObject({
      version: '2.0.0',
      tag: 'v2.0.0',
      bump: 'major',
      release: true,
      isPrerelease: false,
    });
  });

  it('bumps the minor version for a breaking change before 1.0.0, and 1.0.0 only when asked', () => {
    const plan = planNext(options(), tags('v0.4.1'), commits('feat!: new config'));
    expect(plan).toMatchObject({ version: '0.5.0', bump: 'minor' });
    expect(plan.reason).toMatch(/major version is 0/);
    expect(planNext(options({ bump: 'major' }), tags('v0.4.1'), commits()).version).toBe('1.0.0');
  });

  it('lets a forced bump win over the commits', () => {
    expect(planNext(options({ bump: 'patch' }), tags('v1.2.3'), commits('feat!: x')).version).toBe('1.2.4');
    expect(planNext(options({ bump: 'minor' }), tags('v1.2.3'), commits('docs: x')).version).toBe('1.3.0');
  });

  it('reports bump none and the current version when nothing is releasable', () => {
    expect(planNext(options(), tags('v1.2.3', 'v1.2.2'), commits('docs: a', 'chore: b'))).toMatchObject({
      version: '1.2.3',
      tag: 'v1.2.3',
      bump: 'none',
      release: false,
    });
  });

  it('starts at initial-version when there is no stable release tag', () => {
    expect(planNext(options(), [], commits('feat!: x'))).toMatchObject({
      version: '0.1.0',
      bump: 'initial',
      previous: undefined,
    });
    expect(planNext(options({ initialVersion: parseVersion('1.0.0') }), [], []).version).toBe('1.0.0');
  });

  it('counts prerelease numbers up from the existing tags of the same version', () => {
    const rc = options({ prerelease: 'rc' });
    expect(planNext(rc, tags('v1.2.0'), commits('feat: x')).version).toBe('1.3.0-rc.1');
    const existing = tags('v1.2.0', 'v1.3.0-rc.1', 'v1.3.0-rc.2', 'v1.3.0-beta.7', 'v1.2.1-rc.5');
    expect(planNext(rc, existing, commits('feat: x'))).toMatchObject({
      version: '1.3.0-rc.3',
      previous: expect.objectContaining({ tag: 'v1.2.0' }),
      isPrerelease: true,
    });
    const beta = tags('v1.2.0', 'v1.3.0-beta.7');
    expect(planNext(options({ prerelease: 'beta' }), beta, commits('feat: x')).version).toBe('1.3.0-beta.8');
    // Semver orders beta below rc, so a beta after an rc would go down.
    expect(() => planNext(options({ prerelease: 'beta' }), existing, commits('feat: x'))).toThrow(
      /not newer/,
    );
    expect(planNext(rc, tags('v0.1.0-rc.1'), []).version).toBe('0.1.0-rc.2');
    // The release itself follows its candidates.
    expect(planNext(options(), existing, commits('feat: x')).version).toBe('1.3.0');
  });

  it('refuses a version that is not above every existing tag', () => {
    const existing = tags('v1.2.0', 'v1.3.0-rc.1');
    expect(() => planNext(options(), existing, commits('fix: x'))).toThrow(ActionError);
    expect(() => planNext(options(), existing, commits('fix: x'))).toThrow(
      /1\.2\.1 is not newer than the existing tag v1\.3\.0-rc\.1/,
    );
  });
});

const validate = (tag: string, existing: ReturnType<typeof tags>) =>
  planValidate(parseTag(tag, 'v'), existing);

describe('planValidate', () => {
  it('accepts a tag newer than every other release tag', () => {
    expect(validate('v1.3.0', tags('v1.3.0', 'v1.2.9', 'v1.3.0-rc.2'))).toMatchObject({
      version: '1.3.0',
      previous: expect.objectContaining({ tag: 'v1.2.9' }),
      bump: 'minor',
    });
    expect(validate('v2.0.0', tags('v1.2.9')).bump).toBe('major');
    expect(validate('v1.2.10', tags('v1.2.9')).bump).toBe('patch');
    expect(validate('v1.3.0-rc.3', tags('v1.2.9', 'v1.3.0-rc.2'))).toMatchObject({
      bump: 'minor',
      isPrerelease: true,
    });
    expect(validate('v1.3.0-rc.3', tags('v1.3.0-rc.2'))).toMatchObject({ bump: 'initial' });
    expect(validate('v0.1.0', [])).toMatchObject({ bump: 'initial', previous: undefined });
  });

  it('refuses a downgrade or a repeat and says why', () => {
    expect(() => validate('v1.2.0', tags('v1.2.0', 'v1.10.0'))).toThrow(
      'tag v1.2.0 is not newer than the existing release tag v1.10.0; versions only go up, so tag a version above 1.10.0',
    );
    expect(() => validate('v1.3.0-rc.1', tags('v1.3.0-rc.2'))).toThrow(/not newer/);
  });
});
