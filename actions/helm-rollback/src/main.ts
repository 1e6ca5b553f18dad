import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { releaseSelector } from '@incidents-pipeline/actions-lib/deploy';
import { collectDiagnostics, diagnosticsMarkdown } from '@incidents-pipeline/actions-lib/deploy-diagnostics';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { HelmClient, PENDING_STATUSES, type ReleaseTarget } from '@incidents-pipeline/actions-lib/helm';
import { KubectlClient } from '@incidents-pipeline/actions-lib/kubectl';
import { log } from '@incidents-pipeline/actions-lib/log';
import { chooseRollbackRevision, imageOfValues } from '@incidents-pipeline/actions-lib/release-rollback';
import { RolloutStuckError, watchRollout } from '@incidents-pipeline/actions-lib/rollout-watch';
import { smokeTestRelease } from '@incidents-pipeline/actions-lib/smoke-test';
import { writeSummary, type SummaryRow } from '@incidents-pipeline/actions-lib/summary';
import { getInputs, type Inputs } from './inputs.js';

/**
 * Rollback as an operation of its own: choose the revision, `helm rollback` through the shared
 * HelmClient (stopped early when a pod it brings cannot become ready), smoke-test what serves
 * afterwards, and report it the way helm-deploy reports a deploy.
 * A failure collects the same diagnostics (events, failing pods, their logs) before the step fails.
 * The release's history and drift are release-report's, the step after it in rollback.yml.
 */
export async function run(): Promise<void> {
  const inputs = getInputs();
  const helm = new HelmClient();
  const kubectl = new KubectlClient({ context: inputs.kubeContext });
  const target: ReleaseTarget = {
    release: inputs.release,
    namespace: inputs.namespace,
    kubeContext: inputs.kubeContext,
  };
  const selector = releaseSelector(inputs.release);
  const version = await helm.version();
  const choice = chooseRollbackRevision(inputs.release, await helm.history(target), inputs.revision);
  if (choice.warning) log().warning(choice.warning);
  log().info(
    `Helm ${version.version}; rolling ${inputs.release} (namespace ${inputs.namespace}) back from revision ${choice.current} to ${choice.revision}`,
  );

  const report = async (title: string, extraRows: SummaryRow[], diagnostics?: string) => {
    const after = await helm.status(target).catch(() => undefined);
    const ready = await kubectl.readyCount(inputs.namespace, selector).catch(() => undefined);
    setOutputs({
      revision: after?.revision ?? choice.current,
      status: after?.status ?? 'unknown',
      'previous-revision': choice.current,
      'rolled-back-to': choice.revision,
    });
    await writeSummary(
      title,
      [...rows(inputs, choice, after, ready, version.version), ...extraRows],
      diagnostics,
    );
  };

  const watch = {
    kubectl,
    namespace: inputs.namespace,
    release: inputs.release,
    graceMs: inputs.wait ? inputs.failFastAfterMs : 0,
  };
  try {
    await watchRollout(watch, (signal) =>
      helm.rollback(target, choice.revision, { timeout: inputs.timeout, wait: inputs.wait, signal }),
    );
    const smokeTest = await smokeTestRelease(
      inputs.smokeTest,
      { helm, kubectl },
      { ...target, selector, timeout: inputs.timeout },
    );
    await report(`Rolled back ${inputs.release}`, [['Smoke test', smokeTest]]);
  } catch (error) {
    if (!(error instanceof ActionError)) throw error;
    log().info(`${error.message}; collecting diagnostics`);
    const diagnostics = await collectDiagnostics(kubectl, inputs.namespace, selector);
    const returned =
      error instanceof RolloutStuckError
        ? await returnAfterStop(helm, target, choice.current, inputs.timeout)
        : '';
    await report(
      `Rollback of ${inputs.release} failed`,
      [['Reason', error.message]],
      diagnosticsMarkdown(diagnostics),
    );
    throw new ActionError(
      `rollback of ${inputs.release} to revision ${choice.revision} failed${returned}: ${error.message}`,
    );
  }
}

/**
 * Helm's rollback dies on SIGTERM and leaves its revision pending-rollback, which blocks every later
 * deploy: return to the revision that ran before the step, whose pods still serve (the stuck ones
 * never became ready, so none was replaced). Says what it did, for the step's message.
 */
async function returnAfterStop(
  helm: HelmClient,
  target: ReleaseTarget,
  revision: number,
  timeout: string,
): Promise<string> {
  const status = (await helm.status(target).catch(() => undefined))?.status;
  if (status === undefined || !PENDING_STATUSES.includes(status)) return '';
  try {
    await helm.rollback(target, revision, { timeout, wait: true });
    return ` (returned to revision ${revision})`;
  } catch (error) {
    log().warning(
      `could not return to revision ${revision}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return ` (left ${status})`;
  }
}

function rows(
  inputs: Inputs,
  choice: { revision: number; current: number },
  after: Awaited<ReturnType<HelmClient['status']>>,
  ready: { ready: number; desired: number } | undefined,
  helmVersion: string,
): SummaryRow[] {
  return [
    ['Release', `${inputs.release} (namespace ${inputs.namespace})`],
    ['Revision', `${after?.revision ?? '?'} (rolled back to ${choice.revision}, was ${choice.current})`],
    ['Status', after?.status ?? 'unknown'],
    ['Image', imageOfValues(after?.values, after?.appVersion)],
    ['Pods ready', ready ? `${ready.ready}/${ready.desired}` : 'unknown'],
    ['Helm', helmVersion],
  ];
}
