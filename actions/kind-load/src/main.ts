import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { KindClient } from '@incidents-pipeline/actions-lib/kind';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { getInputs } from './inputs.js';

/** KindClient.loadImages, the path build-image takes for its kind-cluster input, for images it did not build. */
export async function run(): Promise<void> {
  const { cluster, images } = getInputs();
  const method = await new KindClient().loadImages(cluster, images);
  setOutputs({ method });
  await writeSummary(`Loaded into kind cluster ${cluster}`, [
    ['Images', images.join(', ')],
    ['Method', `kind load ${method}`],
  ]);
}
