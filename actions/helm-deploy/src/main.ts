import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { deployRelease, DeployFailedError, type DeployResult } from '@incidents-pipeline/actions-lib/deploy';
import { writeSummary, type SummaryRow } from '@incidents-pipeline/actions-lib/summary';
import { getInputs } from './inputs.js';

export async function run(): Promise<void> {
  const inputs = getInputs();
  try {
    const result = await deployRelease(inputs);
    report(result);
    await writeSummary(`Deployed ${inputs.release}`, rows(inputs.release, inputs.namespace, result));
  } catch (error) {
    if (error instanceof DeployFailedError) {
      report(error.result);
      await writeSummary(
        `Deploy of ${inputs.release} failed`,
        [...rows(inputs.release, inputs.namespace, error.result), ['Reason', error.message]],
        error.diagnostics,
      );
    }
    throw error;
  }
}

function report(result: DeployResult): void {
  setOutputs({
    revision: result.revision,
    status: result.status,
    'previous-revision': result.previousRevision,
    'rolled-back': result.rolledBack,
  });
}

function rows(release: string, namespace: string, result: DeployResult): SummaryRow[] {
  return [
    ['Release', `${release} (namespace ${namespace})`],
    [
      'Revision',
      `${result.revision}${result.previousRevision !== undefined ? ` (was ${result.previousRevision})` : ''}`,
    ],
    ['Status', result.status + (result.rolledBack ? ', rolled back' : '')],
    ['Image', result.image],
    ['Pods ready', result.podsReady ? `${result.podsReady.ready}/${result.podsReady.desired}` : 'unknown'],
    ['Smoke test', result.smokeTest],
    ['Helm', result.helmVersion],
  ];
}
