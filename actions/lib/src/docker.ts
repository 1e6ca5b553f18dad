import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from './errors.js';
import { dockerBuildArgs, type BuildPlan } from './image.js';
import { log } from './log.js';
import { meaningfulLine, runTool, type RunOptions, type RunResult } from './process.js';

/**
 * Typed access to the docker CLI, for the build-image action and the local CLI (the containers the
 * docker e2e tests start are test infrastructure: `test-support/containers.ts`). Every call goes through `runTool` (argument arrays, masked secrets, reduced errors).
 */

export interface DockerClientOptions {
  /** Executable to run; default `docker` from PATH. */
  binary?: string;
  /** Added to the environment of every docker call (e.g. `DOCKER_HOST`). */
  env?: Record<string, string | undefined>;
}

export type Builder = 'buildkit' | 'classic';

export interface BuildResult {
  imageId: string;
  durationMs: number;
  builder: Builder;
}

export interface ImageDetails {
  id: string;
  sizeBytes: number;
  repoDigests: string[];
  labels: Record<string, string>;
  user: string;
}

export class DockerClient {
  private buildxAvailable?: Promise<boolean>;

  constructor(private readonly options: DockerClientOptions = {}) {}

  private run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runTool(this.options.binary ?? 'docker', args, {
      ...options,
      env: { ...this.options.env, ...options.env },
    });
  }

  /** The daemon's version; throws an `ActionError` that says the daemon is unreachable. */
  async serverVersion(): Promise<string> {
    const result = await this.run(['version', '--format', '{{.Server.Version}}'], {
      group: false,
      allowFailure: true,
      timeoutMs: 30_000,
    });
    const version = result.stdout.trim();
    if (result.exitCode !== 0 || version === '') {
      throw new ActionError(
        `cannot reach the Docker daemon (${meaningfulLine(result.stderr, result.stdout)}); start Docker (dockerd) or set DOCKER_HOST`,
      );
    }
    return version;
  }

  /** Whether `docker build` can use BuildKit: docker 23+ needs the buildx plugin for it. */
  hasBuildx(): Promise<boolean> {
    this.buildxAvailable ??= this.run(['buildx', 'version'], {
      group: false,
      allowFailure: true,
      timeoutMs: 30_000,
    }).then(
      (r) => r.exitCode === 0,
      () => false,
    );
    return this.buildxAvailable;
  }

  /**
   * `docker build` of a plan. BuildKit when buildx is there, the classic builder otherwise (both
   * build the same Dockerfile, which has no BuildKit-only syntax); an explicit `DOCKER_BUILDKIT` in
   * the environment is respected. `sourceDateEpoch` is passed on for reproducible layer timestamps.
   */
  async build(
    plan: BuildPlan,
    options: { sourceDateEpoch?: string; timeoutMs?: number } = {},
  ): Promise<BuildResult> {
    const explicit = this.options.env?.DOCKER_BUILDKIT ?? process.env.DOCKER_BUILDKIT;
    const builder: Builder =
      explicit !== undefined && explicit !== ''
        ? explicit === '0' || explicit.toLowerCase() === 'false'
          ? 'classic'
          : 'buildkit'
        : (await this.hasBuildx())
          ? 'buildkit'
          : 'classic';
    if (builder === 'classic' && explicit === undefined) {
      log().info('buildx is not installed: building with the classic builder (DOCKER_BUILDKIT=0)');
    }

    const scratch = await mkdtemp(path.join(tmpdir(), 'docker-build-'));
    try {
      const iidFile = path.join(scratch, 'iid');
      const env: Record<string, string> = { DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
      if (options.sourceDateEpoch) env.SOURCE_DATE_EPOCH = options.sourceDateEpoch;
      const result = await this.run(dockerBuildArgs(plan, { iidFile }), {
        env,
        timeoutMs: options.timeoutMs ?? 30 * 60_000,
        group: `docker build ${plan.tags[0]}`,
      });
      const imageId = (await readFile(iidFile, 'utf8').catch(() => '')).trim();
      if (!imageId) throw new ActionError(`docker build finished but wrote no image id (${plan.tags[0]})`);
      return { imageId, durationMs: result.durationMs, builder };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async imageExists(reference: string): Promise<boolean> {
    const result = await this.run(['image', 'inspect', '--format', '{{.Id}}', reference], {
      group: false,
      allowFailure: true,
    });
    return result.exitCode === 0;
  }

  /**
   * Makes sure the daemon has an image, pulling it when it is missing. Returns how it was had; a pull
   * that fails throws the `ToolError` whose message is the daemon's own last line.
   */
  async ensureImage(reference: string): Promise<'present' | 'pulled'> {
    if (await this.imageExists(reference)) return 'present';
    await this.run(['pull', '--quiet', reference], { group: false });
    return 'pulled';
  }

  async inspectImage(reference: string): Promise<ImageDetails> {
    const result = await this.run(['image', 'inspect', '--format', '{{json .}}', reference], {
      group: false,
    });
    const raw = JSON.parse(result.stdout) as {
      Id: string;
      Size: number;
      RepoDigests: string[] | null;
      Config?: { Labels?: Record<string, string> | null; User?: string };
    };
    return {
      id: raw.Id,
      sizeBytes: raw.Size,
      repoDigests: raw.RepoDigests ?? [],
      labels: raw.Config?.Labels ?? {},
      user: raw.Config?.User ?? '',
    };
  }

  async push(reference: string): Promise<void> {
    await this.run(['push', reference], { group: `docker push ${reference}` });
  }

  /**
   * The registry digest (`sha256:…`) of a pushed image in one repository. An image pushed to several
   * repositories has a digest per repository, so the one of `repository` is picked, not simply the first.
   */
  async repoDigest(reference: string, repository: string): Promise<string | undefined> {
    const { repoDigests } = await this.inspectImage(reference);
    const match = repoDigests.find((d) => d.startsWith(`${repository}@`)) ?? repoDigests[0];
    return match?.slice(match.indexOf('@') + 1);
  }

  /** `docker save -o file refs…`: an archive that `kind load image-archive` reads. */
  async save(references: readonly string[], file: string): Promise<void> {
    await this.run(['save', '-o', file, ...references], { group: `docker save ${references.join(' ')}` });
  }
}
