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
