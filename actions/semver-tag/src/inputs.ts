import { getBoolean, getChoice, getOptional } from '@incidents-pipeline/actions-lib/inputs';
import { InputError } from '@incidents-pipeline/actions-lib/errors';
import { log } from '@incidents-pipeline/actions-lib/log';
import {
  assertValidPrefix,
  parseTag,
  parseVersion,
  type ReleaseTag,
  type Version,
} from '@incidents-pipeline/actions-lib/version';

export type Mode = 'next' | 'validate';
export type BumpChoice = 'auto' | 'major' | 'minor' | 'patch';

export interface Inputs {
  mode: Mode;
  /** validate: the tag from `tag` or `GITHUB_REF`, already checked to be prefix + strict semver. */
  tag: ReleaseTag | undefined;
  /** validate: the branch the tag's commit must be on (the repository's default branch). */
  defaultBranch: string | undefined;
  bump: BumpChoice;
  prefix: string;
  /** Prerelease identifier such as `rc`; undefined for a stable release. */
  prerelease: string | undefined;
  initialVersion: Version;
  push: boolean;
  githubToken: string | undefined;
}

export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const mode = getChoice<Mode>('mode', ['next', 'validate'], 'next');
  const prefix = assertValidPrefix(getOptional('prefix') ?? 'v', { input: 'prefix' });
  const prerelease = getOptional('prerelease');
  // A prerelease identifier is one semver identifier: numeric ones would collide with the counter.
  if (prerelease !== undefined && !/^[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*$/.test(prerelease)) {
    throw new InputError(
      'prerelease',
      `'${prerelease}' is not a prerelease identifier such as rc, beta or alpha`,
    );
  }
  const githubToken = getOptional('github-token');
  if (githubToken) log().setSecret(githubToken);
  return {
    mode,
    tag: mode === 'validate' ? parseTag(tagToValidate(env), prefix, { input: 'tag' }) : undefined,
    defaultBranch: mode === 'validate' ? defaultBranch() : undefined,
    bump: getChoice<BumpChoice>('bump', ['auto', 'major', 'minor', 'patch'], 'auto'),
    prefix,
    prerelease,
    initialVersion: parseVersion(getOptional('initial-version') ?? '0.1.0', { input: 'initial-version' }),
    push: getBoolean('push', false),
    githubToken,
  };
}

/** `tag`, else the tag a tag-push workflow runs for. */
function tagToValidate(env: NodeJS.ProcessEnv): string {
  const given = getOptional('tag');
  if (given !== undefined) return given;
  const ref = env.GITHUB_REF ?? '';
  if (ref.startsWith('refs/tags/')) return ref.slice('refs/tags/'.length);
  throw new InputError(
    'tag',
    `mode validate needs a tag: set 'tag' or run on a tag push (GITHUB_REF is '${ref || 'unset'}')`,
  );
}

/**
 * The branch release tags must come from. action.yml defaults it to the event payload's
 * `repository.default_branch`; a payload without one (a hand-written act event) leaves it empty.
 */
function defaultBranch(): string {
  const branch = getOptional('default-branch');
  if (branch === undefined) {
    throw new InputError(
      'default-branch',
      "mode validate checks that the tag's commit is on the default branch: " +
        'set default-branch, or run on an event whose payload names repository.default_branch',
    );
  }
  // A plain branch name: it becomes part of a ref and a git argument.
  if (!/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..') || branch.endsWith('.lock')) {
    throw new InputError('default-branch', `${JSON.stringify(branch)} is not a branch name`);
  }
  return branch;
}
