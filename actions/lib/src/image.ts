import path from 'node:path';
import { ActionError, InputError } from './errors.js';
import { GitClient } from './git.js';
import { parseVersion, type Version } from './version.js';

/**
 * The plan of an image build: which tags, build arguments and labels a version of the service gets.
 * Pure functions, shared by the build-image action and the local CLI, so a workflow and a laptop tag
 * the same version the same way. Executing the plan is `DockerClient.build`; loading it into a
 * cluster is `KindClient.loadImages`.
 */

export interface KeyValue {
  key: string;
  value: string;
}

/** Facts about the source being built, for the OCI labels and the `sha-` tag. */
export interface BuildMetadata {
  /** Full commit SHA; without it there is no `sha-` tag and no revision label. */
  revision?: string;
  /** RFC 3339 time the image claims to be created at (fixed per commit, for reproducible builds). */
  created: string;
  /** URL of the source repository. */
  source?: string;
}

export interface BuildRequest {
  /** Image name without registry or tag, e.g. `incidents-service`. */
  image: string;
  version: string;
  /** Prefix such as `ghcr.io/owner`; tags become `<registry>/<image>:<tag>`. */
  registry?: string;
  /** Build context directory. */
  context: string;
  /** Default `<context>/Dockerfile`. */
  dockerfile?: string;
  /** Extra build arguments; they win over the automatic ones. */
  buildArgs?: readonly KeyValue[];
  /** Extra labels; they win over the automatic OCI labels. */
  labels?: readonly KeyValue[];
  metadata: BuildMetadata;
}

export interface BuildPlan {
  /** `[registry/]image`, the repository every tag belongs to. */
  repository: string;
  /** The version as given, without a leading `v`. */
  version: string;
  isPrerelease: boolean;
  /** Full references, the exact version first. */
  tags: string[];
  context: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
}

/** How many hex digits the `sha-` tag keeps (git's usual short form). */
export const SHORT_SHA_LENGTH = 7;

const OCI = 'org.opencontainers.image';

// Docker's reference grammar: lowercase path components separated by `/`; registry host with an optional port.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const IMAGE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const REGISTRY = new RegExp(
  `^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\\d+)?)(?:/${PATH_COMPONENT})*$`,
);

/**
 * `[registry/]image`, lowercased: registries refuse uppercase repository names, and
 * `ghcr.io/${{ github.repository_owner }}` often has some.
 */
export function imageRepository(image: string, registry?: string): string {
  const name = image.trim().toLowerCase();
  if (name.includes(':') || name.includes('@')) {
    throw new InputError(
      'image',
      `'${image}' must be a name without tag or digest (tags come from the version)`,
    );
  }
  if (!IMAGE_NAME.test(name)) throw new InputError('image', `'${image}' is not a valid image name`);
  if (registry === undefined || registry.trim() === '') return name;
  const prefix = registry.trim().replace(/\/+$/, '').toLowerCase();
  if (!REGISTRY.test(prefix)) {
    throw new InputError('registry', `'${registry}' is not a registry prefix such as ghcr.io/owner`);
  }
  return `${prefix}/${name}`;
}

/**
 * Tags for one build: `version`, and for a release also `major.minor` and `major` (so consumers can
 * follow a line), plus `sha-<short>` to trace an image to its commit. Prereleases get no moving tags:
 * `1.3.0-rc.1` must never become `1.3`. `major` is skipped below 1.0.0, where every minor may break.
 * `latest` is never produced: kind and Helm must run exactly the version that was asked for.
 */
export function imageTags(repository: string, version: Version, revision?: string): string[] {
  const names = [version.version];
  if (!version.isPrerelease) {
    names.push(`${version.major}.${version.minor}`);
    if (version.major > 0) names.push(String(version.major));
  }
  if (revision) names.push(`sha-${shortSha(revision)}`);
  return names.map((name) => `${repository}:${name}`);
}

export function shortSha(revision: string): string {
  if (!/^[0-9a-f]{7,64}$/i.test(revision)) {
    throw new InputError('revision', `'${revision}' is not a commit SHA`);
  }
  return revision.slice(0, SHORT_SHA_LENGTH).toLowerCase();
}

/**
 * Everything about a build, decided before anything runs; throws `InputError` for unusable input.
 * The version must be a bare strict semver (`parseVersion`: no `v`, no build metadata, which `+`
 * would carry and an image tag cannot).
 */
export function planBuild(request: BuildRequest): BuildPlan {
  const version = parseVersion(request.version, { input: 'version' });
  const repository = imageRepository(request.image, request.registry);
  const { revision, created, source } = request.metadata;

  // The service's Dockerfile turns these into its OCI labels; the same labels are also set directly
  // below, so any Dockerfile gets them.
  const buildArgs: Record<string, string> = { VERSION: version.version, CREATED: created };
  if (revision) buildArgs.REVISION = revision;
  if (source) buildArgs.SOURCE = source;
  for (const { key, value } of request.buildArgs ?? []) buildArgs[key] = value;

  const labels: Record<string, string> = {
    [`${OCI}.version`]: version.version,
    [`${OCI}.created`]: created,
  };
  if (revision) labels[`${OCI}.revision`] = revision;
  if (source) labels[`${OCI}.source`] = source;
  for (const { key, value } of request.labels ?? []) labels[key] = value;

  return {
    repository,
    version: version.version,
    isPrerelease: version.isPrerelease,
    tags: imageTags(repository, version, revision),
    context: request.context,
    dockerfile: request.dockerfile ?? path.join(request.context, 'Dockerfile'),
    buildArgs,
    labels,
  };
}

/** The `docker build` argument list for a plan (argv elements: values need no quoting). */
export function dockerBuildArgs(plan: BuildPlan, options: { iidFile?: string } = {}): string[] {
  const args = ['build', '--file', plan.dockerfile];
  if (options.iidFile) args.push('--iidfile', options.iidFile);
  for (const tag of plan.tags) args.push('--tag', tag);
  for (const [key, value] of Object.entries(plan.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  args.push(plan.context);
  return args;
}

/** RFC 3339 in UTC without milliseconds, the form OCI `created` labels use. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Revision, creation time and source URL of what is being built. The revision is `revision` when
 * given (a tag, such as `refs/tags/v0.2.0`, when the sources were exported from a tag), else the
 * commit checked out: a run dispatched on a branch that checks out a release tag has `GITHUB_SHA`
 * at the branch, not at the tag, so `GITHUB_SHA` is only the fallback outside a git checkout. The
 * creation time is `SOURCE_DATE_EPOCH` when set, else that commit's time, so rebuilding a commit
 * gives identical labels (and a cache hit); only without a commit does it fall back to now.
 */
export async function resolveBuildMetadata(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; revision?: string } = {},
): Promise<BuildMetadata> {
  const env = options.env ?? process.env;
  const git = new GitClient(options.cwd ?? process.cwd());
  const inRepository = await git.isRepository().catch(() => false);

  let revision: string | undefined;
  if (options.revision) {
    if (!inRepository) {
      throw new InputError('revision', `'${options.revision}' cannot be resolved outside a git checkout`);
    }
    revision = await git.resolveCommit(options.revision).catch(() => {
      throw new InputError(
        'revision',
        `'${options.revision}' names no commit in this checkout (fetch it, e.g. with fetch-depth: 0)`,
      );
    });
  } else if (inRepository) {
    revision = await git.resolveCommit('HEAD').catch(() => undefined);
  }
  revision ||= env.GITHUB_SHA || undefined;

  let created: string | undefined;
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (epoch) {
    if (!/^\d+$/.test(epoch)) {
      throw new ActionError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    }
    created = rfc3339(new Date(Number(epoch) * 1000));
  } else if (revision && inRepository) {
    const time = await git.commitTime(revision).catch(() => undefined);
    if (time && !Number.isNaN(time.getTime())) created = rfc3339(time);
  }

  const source =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`
      : undefined;

  return { revision, created: created ?? rfc3339(new Date()), source };
}
