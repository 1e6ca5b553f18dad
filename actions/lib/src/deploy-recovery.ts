import { ActionError } from './errors.js';
import { HelmClient, lastDeployedRevision, type HelmRelease, type ReleaseTarget } from './helm.js';
import { log } from './log.js';

/**
 * Recovery and rollback of a release: clearing a release a cancelled run left stuck, and returning
 * to the last revision that served after a deploy failed. Each function reports the state it left
 * the release in; none changes what it was given.
 */

/** Where a release stands after a recovery step. */
export interface ReleaseState {
  revision: number;
  status: string;
  rolledBack: boolean;
}

/**
 * A release left in `pending-*` by a cancelled run blocks every later upgrade ("another operation is
 * in progress"). Without `rollbackOnFailure` we stop and name the command that fixes it; with it we
 * return to the last deployed revision (or remove a never-finished install), as Helm's own
 * rollback-on-failure would have done had the run not been cancelled. Returns the release afterwards.
 */
export async function recoverStuckRelease(
  helm: HelmClient,
  target: ReleaseTarget,
  stuck: HelmRelease,
  options: { rollbackOnFailure: boolean; timeout: string },
): Promise<HelmRelease | undefined> {
  const history = await helm.history(target);
  const lastGood = lastDeployedRevision(history, stuck.revision);
  const ns = `-n ${target.namespace}${target.kubeContext ? ` --kube-context ${target.kubeContext}` : ''}`;
  const recovery =
    lastGood === undefined
      ? `helm uninstall ${target.release} ${ns}`
      : `helm rollback ${target.release} ${lastGood} ${ns}`;
  const what = `release ${target.release} in namespace ${target.namespace} is stuck in ${stuck.status} at revision ${stuck.revision}, probably left by a cancelled or killed deploy`;
  if (!options.rollbackOnFailure) {
    throw new ActionError(`${what}. Recover with \`${recovery}\`, or rerun with rollback-on-failure: true.`);
  }
  log().warning(`${what}; recovering with \`${recovery}\` before deploying`);
  if (lastGood === undefined) {
    await helm.uninstall(target, { timeout: options.timeout });
    return undefined;
  }
  await helm.rollback(target, lastGood, { timeout: options.timeout, wait: true });
  return helm.status(target);
}

/**
 * Returns to the newest revision that served before the one this deploy created, or removes a first
 * install that never served. A rollback that fails too is a warning: the deploy's own error is the
 * one to report, and `current` is returned unchanged.
 */
export async function rollBack(
  helm: HelmClient,
  target: ReleaseTarget,
  options: { timeout: string; previousRevision?: number; current: Omit<ReleaseState, 'rolledBack'> },
): Promise<ReleaseState> {
  const unchanged = { ...options.current, rolledBack: false };
  try {
    const history = await helm.history(target);
    const back = lastDeployedRevision(history, history.at(-1)?.revision ?? Infinity);
    if (back === undefined && options.previousRevision === undefined) {
      await helm.uninstall(target, { timeout: options.timeout });
      return { revision: 0, status: 'uninstalled', rolledBack: true };
    }
    if (back === undefined) {
      log().warning(`no earlier deployed revision of ${target.release} to roll back to`);
      return unchanged;
    }
    await helm.rollback(target, back, { timeout: options.timeout, wait: true });
    const after = await helm.status(target);
    return {
      revision: after?.revision ?? options.current.revision,
      status: after?.status ?? options.current.status,
      rolledBack: true,
    };
  } catch (error) {
    log().warning(`rollback failed too: ${error instanceof Error ? error.message : String(error)}`);
    return unchanged;
  }
}

/**
 * What Helm 4's own rollback-on-failure left after a failed upgrade: a `Rollback to N` revision, or
 * no release at all when a first install was removed.
 */
export async function stateAfterHelmRollback(
  helm: HelmClient,
  target: ReleaseTarget,
  previousRevision: number | undefined,
): Promise<ReleaseState> {
  const after = await helm.status(target).catch(() => undefined);
  return {
    revision: after?.revision ?? 0,
    status: after?.status ?? 'uninstalled',
    rolledBack: after === undefined ? previousRevision === undefined : /^rollback/i.test(after.description),
  };
}

/** The release as a failed upgrade left it, when nobody rolled back. */
export async function stateAsLeft(
  helm: HelmClient,
  target: ReleaseTarget,
  before: Omit<ReleaseState, 'rolledBack'>,
): Promise<ReleaseState> {
  const after = await helm.status(target).catch(() => undefined);
  return {
    revision: after?.revision ?? before.revision,
    status: after?.status ?? before.status,
    rolledBack: false,
  };
}
