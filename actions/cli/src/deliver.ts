import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { KindClient } from '@incidents-pipeline/actions-lib/kind';
import { parseVersionOrTag } from '@incidents-pipeline/actions-lib/version';
import { useLocalCluster } from './local-cluster.js';
import { Progress } from './progress.js';
import type { Settings } from './settings.js';
import { buildImage, deployVersion, loadImage } from './steps.js';
import { requireTools } from './tools.js';

/** Builds a version of the service, loads it into the kind cluster and deploys it. */
export async function deliver(settings: Settings, versionText: string): Promise<void> {
  // Refused before any tool runs.
  const version = parseVersionOrTag(versionText, 'v', { input: 'VERSION' }).version;
  const progress = new Progress(5);
  await progress.step(`Checking tools (${clusterTools(settings).join(', ')})`, () =>
    requireTools(clusterTools(settings)),
  );
  await progress.step(clusterTitle(settings), () => requireCluster(settings));
  const reference = await progress.step(`Building ${settings.image}:${version}`, () =>
    buildImage(settings, version),
  );
  await progress.step(`Loading ${reference} into the cluster`, () => loadImage(settings, reference));
  await progress.step(`Deploying ${version}`, () => deployVersion(settings, version));
}

/** The tools a command needs: kind only when kind is the target. */
export function clusterTools(settings: Settings): ('docker' | 'kind' | 'helm' | 'kubectl')[] {
  return settings.target === 'kind' ? ['docker', 'kind', 'helm', 'kubectl'] : ['docker', 'helm', 'kubectl'];
}

export function clusterTitle(settings: Settings): string {
  return settings.target === 'kind' ? `Kind cluster ${settings.cluster}` : 'Local cluster (npm run cluster)';
}

export async function requireCluster(settings: Settings): Promise<void> {
  if (settings.target === 'local') return useLocalCluster(settings, { start: false });
  if (!(await new KindClient().hasCluster(settings.cluster))) {
    throw new ActionError(`kind cluster '${settings.cluster}' does not exist; create it with: npm run init`);
  }
}
