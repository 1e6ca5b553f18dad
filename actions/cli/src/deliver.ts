import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { KindClient } from '@incidents-pipeline/actions-lib/kind';
import { parseVersionOrTag } from '@incidents-pipeline/actions-lib/version';
import { Progress } from './progress.js';
import type { Settings } from './settings.js';
import { buildImage, deployVersion, loadImage } from './steps.js';
import { requireTools } from './tools.js';

/** Builds a version of the service, loads it into the kind cluster and deploys it. */
export async function deliver(settings: Settings, versionText: string): Promise<void> {
  // Refused before any tool runs.
  const version = parseVersionOrTag(versionText, 'v', { input: 'VERSION' }).version;
  const progress = new Progress(5);
  await progress.step('Checking tools (docker, kind, helm, kubectl)', () =>
    requireTools(['docker', 'kind', 'helm', 'kubectl']),
  );
  await progress.step(`Kind cluster ${settings.cluster}`, () => requireCluster(settings));
  const reference = await progress.step(`Building ${settings.image}:${version}`, () =>
    buildImage(settings, version),
  );
  await progress.step(`Loading ${reference} into kind`, () => loadImage(settings, reference));
  await progress.step(`Deploying ${version}`, () => deployVersion(settings, version));
}

export async function requireCluster(settings: Settings): Promise<void> {
  if (!(await new KindClient().hasCluster(settings.cluster))) {
    throw new ActionError(`kind cluster '${settings.cluster}' does not exist; create it with: npm run init`);
  }
}
