import { existsSync, statSync } from 'node:fs';
import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { CosignClient, withKeyFile } from '@incidents-pipeline/actions-lib/cosign';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { ActionError, InputError } from '@incidents-pipeline/actions-lib/errors';
import { planBuild, resolveBuildMetadata } from '@incidents-pipeline/actions-lib/image';
import { KindClient, type LoadMethod } from '@incidents-pipeline/actions-lib/kind';
import { log } from '@incidents-pipeline/actions-lib/log';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { getInputs } from './inputs.js';
import { formatBytes, formatSeconds } from './format.js';

/** Validate and plan, build, then push and load as asked; report outputs and a job summary. */
export async function run(): Promise<void> {
  const inputs = getInputs();
  const metadata = await resolveBuildMetadata({ revision: inputs.revision });
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
  let signed = false;
  if (inputs.push) {
    for (const tag of plan.tags) await docker.push(tag);
    digest = (await docker.repoDigest(plan.tags[0], plan.repository)) ?? '';
  }
  if (inputs.signKey !== undefined) {
    if (!digest)
      throw new ActionError(
        `the registry reported no digest for ${plan.tags[0]}, so there is nothing to sign`,
      );
    const signKey = inputs.signKey;
    const cosign = new CosignClient({ transparencyLog: inputs.transparencyLog });
    await withKeyFile(
      signKey,
      (keyFile) => cosign.sign(`${plan.repository}@${digest}`, { keyFile, password: inputs.signKeyPassword }),
      { secret: true },
    );
    signed = true;
  }

  let loaded: LoadMethod | undefined;
  if (inputs.kindCluster) {
    loaded = await new KindClient({ docker }).loadImages(inputs.kindCluster, plan.tags);
  }

  setOutputs({
    image: plan.repository,
    tags: plan.tags.join('\n'),
    'image-id': built.imageId,
    digest,
    signed,
  });

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
  if (signed)
    rows.push([
      'Signed',
      `with the key given (cosign)${inputs.transparencyLog ? '' : ', not recorded in a transparency log'}`,
    ]);
  if (inputs.kindCluster) rows.push(['Loaded into kind', `${inputs.kindCluster} (kind load ${loaded})`]);
  await writeSummary('Image build', rows);
}
