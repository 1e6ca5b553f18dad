import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { log } from '@incidents-pipeline/actions-lib/log';
import { parseVersionOrTag } from '@incidents-pipeline/actions-lib/version';
import { clusterFor } from './cluster-provider.js';
import { Progress } from './progress.js';
import type { Settings } from './settings.js';
import { deployedVersion, deployVersion, imageReference } from './steps.js';
import { requireTools } from './tools.js';

/**
 * Deploys a version that was built before: chart and values only, no build. The image must exist
 * locally; it is (re)loaded into the cluster, which skips what it already has.
 */
export async function deploy(settings: Settings, versionText: string): Promise<void> {
  const version = parseVersionOrTag(versionText, 'v', { input: 'VERSION' }).version;
  const reference = imageReference(settings, version);
  const cluster = clusterFor(settings);
  const progress = new Progress(4);
  await progress.step(`Checking tools (${cluster.tools.join(', ')})`, () => requireTools(cluster.tools));
  await progress.step(`Image ${reference} and ${cluster.title}`, async () => {
    if (!(await new DockerClient().imageExists(reference))) {
      throw new ActionError(
        `image ${reference} is not present locally; build and deploy it with: npm run deliver -- ${version}`,
      );
    }
    await cluster.require();
  });
  await progress.step(`Loading ${reference} into the cluster`, () => cluster.loadImage(reference));
  await progress.step(`Deploying ${version}`, async () => {
    const running = await deployedVersion(settings);
    if (running && running.version !== version)
      log().info(`Replacing ${running.version} (${running.status})`);
    return deployVersion(settings, version);
  });
}
