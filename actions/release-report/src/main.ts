import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { HelmClient } from '@incidents-pipeline/actions-lib/helm';
import { readFile } from 'node:fs/promises';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import {
  driftMarkdown,
  imageDrift,
  parseRunningContainers,
  recordedImage,
  type Drift,
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
  const drift: Drift = inputs.podsFile
    ? imageDrift(recorded, parseRunningContainers(await readPods(inputs.podsFile)))
    : { ...imageDrift(recorded, []), details: ['no pod list given (input pods-file)'] };
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

async function readPods(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new ActionError(`input 'pods-file': cannot read ${file} (the output of kubectl get pods -o json)`);
  }
}
