import semver from 'semver';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import type { GitClient } from '@incidents-pipeline/actions-lib/git';
import { isNewer, type ReleaseTag } from '@incidents-pipeline/actions-lib/version';
import type { Bump, VersionPlan } from './next-version.js';

/**
 * Checks a tag someone pushed (or wants to push): strict semver behind the prefix, and newer than the
 * newest existing release tag other than itself, prereleases included, so versions never go down.
 * As in mode next, `previous` (and so `bump` and the changelog) is the newest stable release.
 */
export function planValidate(candidate: ReleaseTag, releaseTags: readonly ReleaseTag[]): VersionPlan {
  const { prefix } = candidate;
  const others = releaseTags.filter((t) => t.tag !== candidate.tag);
  const newest = others[0];
  if (newest && !isNewer(candidate, newest)) {
    throw new ActionError(
      `tag ${candidate.tag} is not newer than the existing release tag ${newest.tag}; ` +
        `versions only go up, so tag a version above ${newest.version}`,
    );
  }
  const previous = others.find((t) => !t.isPrerelease);
  const bump: Bump = previous ? diffLevel(previous.version, candidate.version) : 'initial';
  return {
    version: candidate.version,
    tag: candidate.tag,
    previous,
    bump,
    isPrerelease: candidate.isPrerelease,
    release: true,
    reason: previous
      ? `${candidate.tag} is a valid ${bump} step up from ${previous.tag}`
      : `${candidate.tag} is a valid first release (no earlier release tag with prefix '${prefix}')`,
  };
}

function diffLevel(from: string, to: string): Bump {
  const diff = semver.diff(from, to);
  if (diff === 'major' || diff === 'premajor') return 'major';
  if (diff === 'minor' || diff === 'preminor') return 'minor';
  if (diff === 'patch' || diff === 'prepatch') return 'patch';
  // A higher version that differs only in prerelease cannot follow a stable one.
  return 'patch';
}

const FETCH_BRANCHES = "use actions/checkout with 'fetch-depth: 0' so every branch is fetched";

/**
 * A release tag names a reviewed commit: one on the default branch. Anyone who can push may push a
 * `v*` tag on any commit, and deliver.yml would build, publish and deploy it; so a tag whose commit
 * the default branch (as origin has it) does not contain is refused. `revision` is the tag, or HEAD
 * when validate is about to create the tag there.
 */
export async function assertOnDefaultBranch(
  git: GitClient,
  tag: string,
  revision: string,
  branch: string,
): Promise<void> {
  const ref = await git.branchRef(branch);
  if (!ref) {
    throw new ActionError(
      `the default branch ${branch} is not in this checkout (neither refs/remotes/origin/${branch} nor refs/heads/${branch}); ${FETCH_BRANCHES}`,
    );
  }
  const commit = await git.resolveCommit(revision);
  if (!(await git.isAncestor(commit, ref))) {
    throw new ActionError(
      `tag ${tag} points to commit ${commit.slice(0, 12)}, which is not on the default branch ${branch} ` +
        `(${ref}); release tags are cut from ${branch} only, so tag a commit of ${branch}`,
    );
  }
}
