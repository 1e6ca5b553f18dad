import semver from 'semver';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { formatTag, isNewer, type ReleaseTag, type Version } from '@incidents-pipeline/actions-lib/version';
import { highestLevel, type BumpLevel, type ClassifiedCommit } from './commits.js';
import type { BumpChoice } from './inputs.js';

export type Bump = BumpLevel | 'none' | 'initial';

export interface VersionPlan {
  version: string;
  tag: string;
  /** The release the version was derived from or compared with; undefined for a first release. */
  previous: ReleaseTag | undefined;
  bump: Bump;
  isPrerelease: boolean;
  /** False when there is nothing to release (`bump: none`): no tag is created. */
  release: boolean;
  /** One sentence for the log and the job summary. */
  reason: string;
}

export interface NextOptions {
  bump: BumpChoice;
  prefix: string;
  prerelease: string | undefined;
  initialVersion: Version;
}

/**
 * The next version from the commits since the newest stable release.
 *
 * - `fix`/`perf` give a patch, `feat` a minor, `!` or a `BREAKING CHANGE` footer a major; `bump`
 *   other than `auto` forces the level (and releases even without releasable commits).
 * - Before 1.0.0 a breaking change bumps the minor version: in 0.y.z anything may change, and going
 *   to 1.0.0 is a deliberate decision, made with `bump: major`.
 * - No release tag yet: the first release is `initialVersion`, whatever the commits say.
 * - `prerelease: rc` gives `X.Y.Z-rc.N`, N one more than the highest existing `X.Y.Z-rc.*` tag.
 * - The result must be newer than every existing release tag (prereleases included), so a version
 *   is never reused and never goes down.
 *
 * `releaseTags` are all release tags, newest first; `commits` are those since the newest stable one.
 */
export function planNext(
  options: NextOptions,
  releaseTags: readonly ReleaseTag[],
  commits: readonly ClassifiedCommit[],
): VersionPlan {
  const { prefix, prerelease } = options;
  const previous = releaseTags.find((t) => !t.isPrerelease);
  let core: string;
  let bump: Bump;
  let reason: string;

  if (!previous) {
    core = prerelease ? stableCore(options.initialVersion.version) : options.initialVersion.version;
    bump = 'initial';
    reason = `no stable release tag with prefix '${prefix}' yet, so this is the first release (initial-version ${options.initialVersion.version})`;
  } else {
    const wanted = options.bump === 'auto' ? highestLevel(commits) : options.bump;
    if (!wanted) {
      return {
        version: previous.version,
        tag: previous.tag,
        previous,
        bump: 'none',
        isPrerelease: previous.isPrerelease,
        release: false,
        reason: `none of the ${commits.length} commit(s) since ${previous.tag} is a fix, perf, feat or breaking change, so there is nothing to release`,
      };
    }
    bump = wanted;
    if (options.bump === 'auto' && wanted === 'major' && previous.major === 0) bump = 'minor';
    core = semver.inc(previous.version, bump) as string;
    reason =
      options.bump !== 'auto'
        ? `bump '${options.bump}' was requested`
        : bump !== wanted
          ? `breaking changes since ${previous.tag} bump the minor version while the major version is 0`
          : `${describe(commits, wanted)} since ${previous.tag}`;
  }

  let version = core;
  if (prerelease) {
    const counter = nextPrereleaseNumber(releaseTags, core, prerelease);
    version = `${core}-${prerelease}.${counter}`;
    reason += `; prerelease ${prerelease}.${counter} of ${core}`;
  }

  const newest = releaseTags[0];
  if (newest && !isNewer(version, newest)) {
    throw new ActionError(
      `the computed version ${version} is not newer than the existing tag ${newest.tag} (${reason}); ` +
        `set 'bump' to a higher level or tag a higher version by hand`,
    );
  }
  return {
    version,
    tag: formatTag(version, prefix),
    previous,
    bump,
    isPrerelease: prerelease !== undefined || semver.prerelease(version) !== null,
    release: true,
    reason,
  };
}

function stableCore(version: string): string {
  const v = semver.parse(version) as semver.SemVer;
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** One more than the highest `core-id.N` already tagged, or 1. */
export function nextPrereleaseNumber(tags: readonly ReleaseTag[], core: string, id: string): number {
  let highest = 0;
  for (const t of tags) {
    const [tagId, n] = t.prerelease;
    if (stableCore(t.version) === core && tagId === id && typeof n === 'number' && n > highest) highest = n;
  }
  return highest + 1;
}

function describe(commits: readonly ClassifiedCommit[], level: BumpLevel): string {
  const count = commits.filter((c) => c.level === level).length;
  const what = { major: 'breaking change', minor: 'feature', patch: 'fix' }[level];
  return `${count} ${what}${count === 1 ? '' : 's'}`;
}
