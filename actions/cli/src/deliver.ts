import { parseVersionOrTag } from '@incidents-pipeline/actions-lib/version';
import { clusterFor } from './cluster-provider.js';
import { Progress } from './progress.js';
import type { Settings } from './settings.js';
import { buildImage, deployVersion } from './steps.js';
import { requireTools } from './tools.js';

/** Builds a version of the service, loads it into the cluster and deploys it. */
export async function deliver(settings: Settings, versionText: string): Promise<void> {
  // Refused before any tool runs.
  const version = parseVersionOrTag(versionText, 'v', { input: 'VERSION' }).version;
  const cluster = clusterFor(settings);
  const progress = new Progress(5);
  await progress.step(`Checking tools (${cluster.tools.join(', ')})`, () => requireTools(cluster.tools));
  await progress.step(cluster.title, () => cluster.require());
  const reference = await progress.step(`Building ${settings.image}:${version}`, () =>
    buildImage(settings, version, cluster),
  );
  await progress.step(`Loading ${reference} into the cluster`, () => cluster.loadImage(reference));
  await progress.step(`Deploying ${version}`, () => deployVersion(settings, version));
}
