import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { log } from '@incidents-pipeline/actions-lib/log';
import { compare, parseVersion } from '@incidents-pipeline/actions-lib/version';
import { clusterFor } from './cluster-provider.js';
import { Progress } from './progress.js';
import { initialVersion, type Settings } from './settings.js';
import { buildImage, deployedVersion, deployVersion } from './steps.js';

/**
 * Brings a machine from nothing to a running service: kind (installed when missing), the cluster,
 * and the chart's appVersion deployed when nothing is. Running it again changes nothing, and it
 * never replaces a newer version that is already running.
 */
export async function init(settings: Settings): Promise<void> {
  const progress = new Progress(5);
  const initial = parseVersion(initialVersion(settings), { input: 'chart appVersion' }).version;

  const cluster = clusterFor(settings);
  await progress.step(`Checking tools (${cluster.tools.join(', ')})`, () => cluster.prepareTools());
  await progress.step(cluster.title, () => cluster.ensure());

  const running = await progress.step(`Checking what ${settings.release} runs`, () =>
    deployedVersion(settings),
  );
  const decision = decide(running, initial);
  log().info(decision.message);
  if (!decision.deploy) {
    progress.skip(`Build and load ${settings.image}:${initial}`, 'not needed');
    progress.skip(`Deploy ${initial}`, 'not needed');
    return;
  }
  await progress.step(`Building and loading ${settings.image}:${initial}`, async () => {
    await cluster.loadImage(await buildImage(settings, initial, cluster));
  });
  await progress.step(`Deploying ${initial}`, () => deployVersion(settings, initial));
}

/** Whether init deploys the initial version, given what runs now. */
export function decide(
  running: { version: string; status: string } | undefined,
  initial: string,
): { deploy: boolean; message: string } {
  if (!running) return { deploy: true, message: `Nothing is deployed: deploying ${initial}` };
  let order: number;
  try {
    order = compare(parseVersion(running.version), initial);
  } catch {
    throw new ActionError(
      `the release runs image tag '${running.version}', which is not a version init can compare; deploy one explicitly with npm run deploy -- VERSION`,
    );
  }
  if (order > 0) {
    return {
      deploy: false,
      message: `A newer version is running (${running.version}, ${running.status}); init never downgrades, so ${initial} is not deployed`,
    };
  }
  if (order === 0 && running.status === 'deployed') {
    return { deploy: false, message: `${initial} is already deployed` };
  }
  return {
    deploy: true,
    message: `The release runs ${running.version} (${running.status}): deploying ${initial}`,
  };
}
