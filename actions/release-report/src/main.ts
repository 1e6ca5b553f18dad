import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { HelmClient } from '@incidents-pipeline/actions-lib/helm';
import { KubectlClient } from '@incidents-pipeline/actions-lib/kubectl';
import {
  driftMarkdown,
  imageDrift,
  recordedImage,
  runningContainers,
} from '@incidents-pipeline/actions-lib/release-drift';
import { historyMarkdown } from '@incidents-pipeline/actions-lib/release-rollback';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { getInputs } from './inputs.js';

/**
 * What a lasting environment's release looks like after a deploy or a rollback, for the job summary:
 * the newest revisions, and drift between Helm's record and the running pods. It only reads, and it
 * reports drift rather than failing on it: the deploy or rollback before it already decided the job.
 */
export async function run(): Promise<void> {
  const inputs = getInputs();
  const target = { release: inputs.release, namespace: inputs.namespace, kubeContext: inputs.kubeContext };
  const helm = new HelmClient();
  const history = await helm.history(target, inputs.history);
  const current = await helm.status(target);
  if (!current) {
    setOutputs({ revision: '', drift: '' });
    await writeSummary(`Release ${inputs.release}`, [
      ['Release', `${inputs.release} (namespace ${inputs.namespace})`],
      ['Status', 'not installed'],
    ]);
    return;
  }
  const recorded = recordedImage(current.values);
  const pods = await new KubectlClient({ context: inputs.kubeContext }).releasePods(
    inputs.namespace,
    inputs.release,
  );
  const drift = imageDrift(recorded, runningContainers(pods));
  setOutputs({ revision: current.revision, drift: drift.drifted });
  await writeSummary(
    `Release ${inputs.release}`,
    [
      ['Release', `${inputs.release} (namespace ${inputs.namespace})`],
      ['Revision', `${current.revision} (${current.status})`],
      ['Drift', drift.drifted === undefined ? 'not compared' : drift.drifted ? 'yes' : 'none'],
    ],
    [historyMarkdown(history, inputs.history), driftMarkdown(drift)].join('\n'),
  );
}
