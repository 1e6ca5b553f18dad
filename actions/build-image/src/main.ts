import { existsSync, statSync } from 'node:fs';
import { setOutputs } from '../../lib/src/action.js';
import { DockerClient } from '../../lib/src/docker.js';
import { InputError } from '../../lib/src/errors.js';
import { planBuild, resolveBuildMetadata } from '../../lib/src/image.js';
import { KindClient, type LoadMethod } from '../../lib/src/kind.js';
import { log } from '../../lib/src/log.js';
import { writeSummary } from '../../lib/src/summary.js';
import { getInputs } from './inputs.js';
import { formatBytes, formatSeconds } from './format.js';

/** Validate and plan, build, then push and load as asked; report outputs and a job summary. */
export async function run(): Promise<void> {
  const inputs = getInputs();
  const metadata = await resolveBuildMetadata();
  const plan = planBuild({ ...inputs, metadata });
  if (!existsSync(plan.context) || !statSync(plan.context).isDirectory()) {
    throw new InputError('context', `directory '${plan.context}' does not exist`);
  }
  if (!existsSync(plan.dockerfile)) {
    throw new InputError(
      inputs.dockerfile ? 'dockerfile' : 'context',
      `no Dockerfile at '${plan.dockerfile}'`,
    );
  }
  if (!metadata.revision)
    log().warning('no commit found (GITHUB_SHA unset, not a git checkout): no sha- tag');
  log().info(`tags: ${plan.tags.join(', ')}`);

  const docker = new DockerClient();
  const daemon = await docker.serverVersion();
  const built = await docker.build(plan, {
    sourceDateEpoch: String(Math.floor(Date.parse(metadata.created) / 1000)),
  });
  const image = await docker.inspectImage(built.imageId);

  let digest = '';
  if (inputs.push) {
    for (const tag of plan.tags) await docker.push(tag);
    digest = (await docker.repoDigest(plan.tags[0], plan.repository)) ?? '';
  }

  let loaded: LoadMethod | undefined;
  if (inputs.kindCluster) {
    loaded = await new KindClient({ docker }).loadImages(inputs.kindCluster, plan.tags);
  }

  setOutputs({ image: plan.repository, tags: plan.tags.join('\n'), 'image-id': built.imageId, digest });

  const rows: [string, string][] = [
    ['Image', plan.repository],
    ['Version', plan.isPrerelease ? `${plan.version} (prerelease)` : plan.version],
    ['Tags', plan.tags.join(', ')],
    ['Image ID', built.imageId],
    ['Size', formatBytes(image.sizeBytes)],
    ['Build time', `${formatSeconds(built.durationMs)} (${built.builder}, Docker ${daemon})`],
  ];
  if (metadata.revision) rows.push(['Revision', metadata.revision]);
  if (inputs.push)
    rows.push(['Pushed', digest ? `${plan.repository}@${digest}` : 'yes (no digest reported)']);
  if (inputs.kindCluster) rows.push(['Loaded into kind', `${inputs.kindCluster} (kind load ${loaded})`]);
  await writeSummary('Image build', rows);
}
