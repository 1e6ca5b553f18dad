import { describe, expect, it } from '@jest/globals';
import { ActionError, InputError } from '../src/errors.js';
import {
  assertValidPrefix,
  compare,
  isNewer,
  parseTag,
  parseVersion,
  parseVersionOrTag,
  releaseTagsOf,
} from '../src/version.js';

describe('parseVersion', () => {
  it('reads a strict semver into its parts', () => {
    expect(parseVersion('1.4.0-rc.2')).toEqual({
      version: '1.4.0-rc.2',
      major: 1,
      minor: 4,
      patch: 0,
      prerelease: ['rc', 2],
      isPrerelease: true,
    });
    expect(parseVersion('0.1.0').isPrerelease).toBe(false);
  });

  it.each(['1.2', '01.2.3', 'v1.2.3', '=1.2.3', '1.2.3.4', 'latest', ' 1.2.3'])('refuses %j', (text) => {
    expect(() => parseVersion(text)).toThrow(ActionError);
  });

  it('refuses build metadata, which image tags cannot carry', () => {
    expect(() => parseVersion('1.2.3+build.5')).toThrow(/build metadata/);
  });

  it.each([
    ['1.0.0; rm -rf /', "';'"],
    ['$(id)', "'\\$'"],
    ['1.0.0`id`', "'`'"],
    ['1.0.0 && true', 'whitespace'],
    ['1.0.0|cat', "'\\|'"],
  ])('refuses shell metacharacters in %j and names them', (text, what) => {
    expect(() => parseVersion(text)).toThrow(new RegExp(`contains ${what}`));
  });

  it('refuses newlines and other control characters', () => {
    expect(() => parseVersion('1.0.0\n::set-env name=X::y')).toThrow(/control characters/);
    expect(() => parseVersion('1.0.0\u0000')).toThrow(/control characters/);
  });

  it('names the input when one is given', () => {
    const error = (() => {
      try {
        parseVersion('x', { input: 'version' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^input 'version': "x" is not a strict semantic version/);
  });
});

describe('parseTag', () => {
  it('needs the prefix and a strict semver after it', () => {
    expect(parseTag('v1.2.3', 'v')).toMatchObject({ tag: 'v1.2.3', prefix: 'v', version: '1.2.3' });
    expect(parseTag('service/v2.0.0-rc.1', 'service/v')).toMatchObject({
      version: '2.0.0-rc.1',
      isPrerelease: true,
    });
    expect(parseTag('1.2.3', '')).toMatchObject({ version: '1.2.3' });
    expect(() => parseTag('1.2.3', 'v')).toThrow(/does not start with the tag prefix "v"/);
    expect(() => parseTag('vv1.2.3', 'v')).toThrow(/not a strict semantic version/);
  });

  it('accepts bare versions or tags where either may come (CLI arguments)', () => {
    expect(parseVersionOrTag('v1.2.3', 'v').version).toBe('1.2.3');
    expect(parseVersionOrTag('1.2.3', 'v').version).toBe('1.2.3');
  });
});

describe('ordering', () => {
  it('compares by semver precedence, not by text', () => {
    expect(isNewer('1.10.0', '1.9.0')).toBe(true);
    expect(isNewer('1.3.0', '1.3.0-rc.9')).toBe(true);
    expect(isNewer('1.3.0-rc.10', '1.3.0-rc.9')).toBe(true);
    expect(isNewer('1.2.0', '1.2.0')).toBe(false);
    expect(compare(parseVersion('0.9.0'), '0.10.0')).toBeLessThan(0);
  });

  it('keeps only release tags with the prefix, newest first', () => {
    const tags = ['v1.9.0', 'v1.10.0', 'release-7', 'v2.0', 'v1.10.0-rc.1', 'x1.99.0', 'latest'];
    expect(releaseTagsOf(tags, 'v').map((t) => t.tag)).toEqual(['v1.10.0', 'v1.10.0-rc.1', 'v1.9.0']);
  });
});

describe('assertValidPrefix', () => {
  it('accepts ref-safe prefixes and refuses the rest', () => {
    expect(assertValidPrefix('v')).toBe('v');
    expect(assertValidPrefix('service/v')).toBe('service/v');
    expect(assertValidPrefix('')).toBe('');
    for (const bad of ['-v', 'v;', 'a..b', 'v ', '$(x)'])
      expect(() => assertValidPrefix(bad)).toThrow(ActionError);
  });
});
