import { deployRelease, type DeployResult } from '@incidents-pipeline/actions-lib/deploy';
import { runningVersion } from '@incidents-pipeline/actions-lib/deploy-order';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { HelmClient } from '@incidents-pipeline/actions-lib/helm';
import { planBuild, resolveBuildMetadata } from '@incidents-pipeline/actions-lib/image';
import { KubectlClient } from '@incidents-pipeline/actions-lib/kubectl';
import { log } from '@incidents-pipeline/actions-lib/log';
import { ToolError } from '@incidents-pipeline/actions-lib/process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterProvider } from './cluster-provider.js';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import type { Settings } from './settings.js';

/**
 * The steps the commands are made of, each over the same `actions/lib` code the workflows run:
 * the build plan and docker client of `build-image`, the kind client, and the deploy flow of `helm-deploy`.
 */

export function imageReference(settings: Settings, version: string): string {
  return `${settings.image}:${version}`;
}

/** The base image a build starts from: INCIDENTS_BASE_IMAGE, else the Dockerfile's `BASE_IMAGE` default. */
export function baseImage(settings: Settings): string {
  if (settings.baseImage) return settings.baseImage;
  const dockerfile = readFileSync(path.join(settings.serviceDir, 'Dockerfile'), 'utf8');
  const declared = /^ARG BASE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
  if (!declared) throw new ActionError('service/Dockerfile declares no ARG BASE_IMAGE=<default>');
  return declared;
}

/**
 * Has the build's base image before anything is built. Offline, docker's own words ("no such host",
 * then "FROM ${BASE_IMAGE}") name neither the cause nor the fix; this names both, and what the
 * command has already done: the cluster it needed is up and stays up, and nothing was deployed.
 */
export async function requireBaseImage(settings: Settings, cluster: ClusterProvider): Promise<void> {
  const base = baseImage(settings);
  try {
    const how = await new DockerClient().ensureImage(base);
    log().info(`Base image ${base}: ${how === 'present' ? 'in Docker' : 'pulled'}`);
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    throw new ActionError(
      [
        `the build's base image ${base} is not in Docker and cannot be pulled: ${error.message}`,
        'On a machine without a registry, build the stand-in base image with `npm run base-image` and',
        'name the image it prints: INCIDENTS_BASE_IMAGE=<that image> npm run <command> ...',
        `The cluster (${cluster.description}) is up and was left running; nothing was built or deployed.`,
      ].join('\n'),
    );
  }
}

export async function buildImage(
  settings: Settings,
  version: string,
  cluster: ClusterProvider,
): Promise<string> {
  await requireBaseImage(settings, cluster);
  const plan = planBuild({
    image: settings.image,
    version,
    context: settings.serviceDir,
    // A machine without a registry builds on a base image it already has.
    buildArgs: settings.baseImage ? [{ key: 'BASE_IMAGE', value: settings.baseImage }] : [],
    metadata: await resolveBuildMetadata({ cwd: settings.root }),
  });
  const built = await new DockerClient().build(plan);
  log().info(`Built ${plan.tags.join(', ')} (${built.imageId.slice(0, 19)}, ${built.builder})`);
  return plan.tags[0];
}

export async function deployVersion(settings: Settings, version: string): Promise<DeployResult> {
  const result = await deployRelease({
    release: settings.release,
    namespace: settings.namespace,
    kubeContext: settings.kubeContext,
    chart: settings.chart,
    createNamespace: true,
    imageRepository: settings.image,
    imageTag: version,
    valuesFiles: [],
    set: [],
    timeout: settings.timeout,
    wait: true,
    rollbackOnFailure: true,
    smokeTest: 'helm',
  });
  const pods = result.podsReady ? `${result.podsReady.ready}/${result.podsReady.desired}` : 'unknown';
  log().info(
    `Release ${settings.release} revision ${result.revision} (${result.status}): ${result.image}, pods ready ${pods}, ${result.smokeTest}`,
  );
  return result;
}

/** The image tag the release runs now (its values, else the chart's appVersion), if it exists. */
export async function deployedVersion(
  settings: Settings,
): Promise<{ version: string; status: string } | undefined> {
  const release = await new HelmClient().status({
    release: settings.release,
    namespace: settings.namespace,
    kubeContext: settings.kubeContext,
  });
  if (!release) return undefined;
  return { version: runningVersion(release), status: release.status };
}

/** Forwards 127.0.0.1:port to the Service until the process is interrupted. */
export async function portForwardUntilInterrupted(settings: Settings, port: number): Promise<void> {
  const kubectl = new KubectlClient({ context: settings.kubeContext });
  const forward = await kubectl.portForward(settings.namespace, settings.release, 80, port);
  log().info(`The service is at http://127.0.0.1:${forward.localPort}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await forward.close();
}
