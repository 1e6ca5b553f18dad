import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionError } from './errors.js';
import { DockerClient } from './docker.js';
import { log } from './log.js';
import { meaningfulLine, runTool, type RunOptions, type RunResult } from './process.js';

/** Typed access to the kind CLI, for the build-image action and the local CLI. */

export interface KindClientOptions {
  /** Executable to run; default `kind` from PATH. */
  binary?: string;
  /** Used for the `docker save` fallback of `loadImages`. */
  docker?: DockerClient;
  env?: Record<string, string | undefined>;
}

export type LoadMethod = 'docker-image' | 'image-archive';

export interface CreateClusterOptions {
  /** A kind cluster config file (e.g. `kind-config.yaml`). */
  config?: string;
  /** Node image, e.g. the pinned `kindest/node:v…@sha256:…`. */
  image?: string;
  /** How long to wait for the control plane, e.g. `120s`. */
  wait?: string;
}

export class KindClient {
  private readonly docker: DockerClient;

  constructor(private readonly options: KindClientOptions = {}) {
    this.docker = options.docker ?? new DockerClient({ env: options.env });
  }

  private run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runTool(this.options.binary ?? 'kind', args, {
      ...options,
      env: { ...this.options.env, ...options.env },
    });
  }

  async clusters(): Promise<string[]> {
    const result = await this.run(['get', 'clusters'], { group: false });
    // kind prints "No kind clusters found." on stderr when there are none.
    return result.stdout
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }

  async hasCluster(name: string): Promise<boolean> {
    return (await this.clusters()).includes(name);
  }

  async createCluster(name: string, options: CreateClusterOptions = {}): Promise<void> {
    const args = ['create', 'cluster', '--name', name];
    if (options.config) args.push('--config', options.config);
    if (options.image) args.push('--image', options.image);
    if (options.wait) args.push('--wait', options.wait);
    await this.run(args, { group: `kind create cluster ${name}`, timeoutMs: 15 * 60_000 });
  }

  /**
   * Puts local images on every node of a cluster. `kind load docker-image` fails on some setups (a
   * known kind problem with Docker's containerd image store and multi-platform images), so on failure
   * the images are exported with `docker save` and loaded with `kind load image-archive`, which
   * takes the archive as it is. Returns which way worked.
   */
  async loadImages(cluster: string, images: readonly string[]): Promise<LoadMethod> {
    if (images.length === 0) throw new ActionError('no images to load into kind');
    const known = await this.clusters();
    if (!known.includes(cluster)) {
      throw new ActionError(
        `kind cluster '${cluster}' does not exist (clusters: ${known.join(', ') || 'none'}); create it first`,
      );
    }

    const direct = await this.run(['load', 'docker-image', ...images, '--name', cluster], {
      group: `kind load docker-image into ${cluster}`,
      allowFailure: true,
      timeoutMs: 15 * 60_000,
    });
    if (direct.exitCode === 0) return 'docker-image';

    log().warning(
      `kind load docker-image failed (${meaningfulLine(direct.stderr, direct.stdout)}); retrying through docker save and kind load image-archive`,
    );
    const scratch = await mkdtemp(path.join(tmpdir(), 'kind-load-'));
    try {
      const archive = path.join(scratch, 'images.tar');
      await this.docker.save(images, archive);
      await this.run(['load', 'image-archive', archive, '--name', cluster], {
        group: `kind load image-archive into ${cluster}`,
        timeoutMs: 15 * 60_000,
      });
      return 'image-archive';
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
