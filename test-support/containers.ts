import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { runTool, type RunOptions, type RunResult } from '@incidents-pipeline/actions-lib/process';

/**
 * Containers of the service image, for the docker e2e tests: start one detached, find its published
 * port, read its state and logs, stop and remove it. Only tests run containers; the pipeline builds,
 * pushes and loads images (`DockerClient`).
 */

export interface RunContainerOptions {
  name?: string;
  readOnly?: boolean;
  /** `-p` values, e.g. `127.0.0.1::3000`. */
  publish?: string[];
  env?: Record<string, string>;
  /** Extra `docker run` flags placed before the image. */
  flags?: string[];
  /** Command and arguments after the image. */
  command?: string[];
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  /** `healthy`, `unhealthy`, `starting`, or undefined without a health check. */
  health?: string;
}

export class TestContainers {
  constructor(private readonly options: { binary?: string; env?: Record<string, string | undefined> } = {}) {}

  private run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return runTool(this.options.binary ?? 'docker', args, {
      ...options,
      env: { ...this.options.env, ...options.env },
    });
  }

  /** Starts a detached container and returns its id. */
  async start(image: string, options: RunContainerOptions = {}): Promise<string> {
    const args = ['run', '--detach'];
    if (options.name) args.push('--name', options.name);
    if (options.readOnly) args.push('--read-only');
    for (const p of options.publish ?? []) args.push('--publish', p);
    for (const [key, value] of Object.entries(options.env ?? {})) args.push('--env', `${key}=${value}`);
    args.push(...(options.flags ?? []), image, ...(options.command ?? []));
    const result = await this.run(args, { group: false });
    return result.stdout.trim();
  }

  /** The host port a published container port is bound to. */
  async hostPort(container: string, containerPort: number): Promise<number> {
    const result = await this.run(['port', container, `${containerPort}/tcp`], { group: false });
    const match = /:(\d+)\s*$/m.exec(result.stdout);
    if (!match) throw new ActionError(`container port ${containerPort} is not published: ${result.stdout}`);
    return Number(match[1]);
  }

  async state(container: string): Promise<ContainerState> {
    const result = await this.run(['container', 'inspect', '--format', '{{json .State}}', container], {
      group: false,
    });
    const state = JSON.parse(result.stdout) as {
      Status: string;
      Running: boolean;
      ExitCode: number;
      Health?: { Status: string };
    };
    return {
      status: state.Status,
      running: state.Running,
      exitCode: state.ExitCode,
      health: state.Health?.Status,
    };
  }

  /** Sends SIGTERM (the image's stop signal), then SIGKILL after `timeoutSeconds`. */
  async stop(container: string, timeoutSeconds = 10): Promise<void> {
    await this.run(['stop', '--time', String(timeoutSeconds), container], {
      group: false,
      timeoutMs: (timeoutSeconds + 30) * 1000,
    });
  }

  /** stdout and stderr of a container, interleaved as docker stored them. */
  async logs(container: string): Promise<string> {
    const result = await this.run(['logs', container], { group: false });
    return [result.stdout, result.stderr].filter((s) => s !== '').join('\n');
  }

  async remove(container: string): Promise<void> {
    await this.run(['rm', '--force', container], { group: false, allowFailure: true });
  }
}

/**
 * The docker e2e tests' first step: a daemon that answers, or an error that fails them, rather than
 * tests that pass untested on a machine without one.
 */
export async function requireDocker(docker = new DockerClient()): Promise<void> {
  try {
    await docker.serverVersion();
  } catch (error) {
    throw new Error(
      `DOCKER E2E NOT RUN: ${(error as Error).message}. These tests fail rather than pass untested; ` +
        '`.ci/run` installs docker.io and starts dockerd.',
      { cause: error },
    );
  }
}
