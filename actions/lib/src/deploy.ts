import { collectDiagnostics, diagnosticsMarkdown } from './deploy-diagnostics.js';
import { assertNotOlder } from './deploy-order.js';
import {
  recoverStuckRelease,
  rollBack,
  stateAfterHelmRollback,
  stateAsLeft,
  type ReleaseState,
} from './deploy-recovery.js';
import { inlineValuesSecrets, withValuesFiles } from './deploy-values.js';
import { ActionError, InputError } from './errors.js';
import { HelmClient, PENDING_STATUSES, type HelmRelease, type ReleaseTarget } from './helm.js';
import { KubectlClient, type ReadyCount } from './kubectl.js';
import { log } from './log.js';
import { requireGoDuration } from './release-inputs.js';
import { ToolError } from './process.js';
import { DEFAULT_FAIL_FAST_AFTER_MS, RolloutStuckError, watchRollout } from './rollout-watch.js';
import { smokeTestRelease, type SmokeTest } from './smoke-test.js';

/**
 * The deploy flow shared by the `helm-deploy` action and the local CLI: clear a release left stuck by
 * a cancelled run, `helm upgrade --install` with the values in private files (stopped early when a
 * new pod cannot become ready), roll back and gather diagnostics when the rollout fails, then
 * smoke-test what is running. The rooms it calls each do
 * one job (values and secrets, recovery, smoke tests, diagnostics) and return what they did.
 */

export type { SmokeTest } from './smoke-test.js';

export interface DeployOptions extends ReleaseTarget {
  chart: string;
  createNamespace: boolean;
  imageRepository?: string;
  imageTag?: string;
  /** image.digest: the pods run exactly this manifest (a verified signature's digest). */
  imageDigest?: string;
  /** Inline values YAML; may hold secrets, so it only ever goes to a 0600 file. */
  values?: string;
  valuesFiles: readonly string[];
  set: readonly { key: string; value: string }[];
  /** Go duration for each Helm operation. */
  timeout: string;
  wait: boolean;
  rollbackOnFailure: boolean;
  /** A delivery: refuse an image tag older than the version the release runs (deploy-order.ts). */
  refuseDowngrade?: boolean;
  /**
   * Stop waiting when a new pod shows a problem that cannot heal by itself for this long (ms);
   * 0 waits for Helm alone. Default DEFAULT_FAIL_FAST_AFTER_MS.
   */
  failFastAfterMs?: number;
  smokeTest: SmokeTest;
  helm?: HelmClient;
  kubectl?: KubectlClient;
}

export interface DeployResult {
  helmVersion: string;
  revision: number;
  status: string;
  previousRevision?: number;
  rolledBack: boolean;
  image: string;
  podsReady?: ReadyCount;
  smokeTest: string;
}

/** A failed deploy, with what is known of the release afterwards and the diagnostics gathered. */
export class DeployFailedError extends ActionError {
  override readonly name = 'DeployFailedError';
  constructor(
    message: string,
    readonly result: DeployResult,
    readonly diagnostics?: string,
  ) {
    super(message);
  }
}

/** The label `helm create` charts put on everything a release owns. */
export function releaseSelector(release: string): string {
  return `app.kubernetes.io/instance=${release}`;
}

export async function deployRelease(options: DeployOptions): Promise<DeployResult> {
  requireGoDuration('timeout', options.timeout);
  const failFastAfterMs = options.failFastAfterMs ?? DEFAULT_FAIL_FAST_AFTER_MS;
  if (!Number.isFinite(failFastAfterMs) || failFastAfterMs < 0) {
    throw new InputError('fail-fast-after', `${failFastAfterMs} ms is not a duration`);
  }
  // Mask before anything runs, so no later log line can carry a secret from `values`.
  for (const secret of options.values ? inlineValuesSecrets('values', options.values) : [])
    log().setSecret(secret);

  const helm = options.helm ?? new HelmClient();
  const kubectl = options.kubectl ?? new KubectlClient({ context: options.kubeContext });
  const target: ReleaseTarget = {
    release: options.release,
    namespace: options.namespace,
    kubeContext: options.kubeContext,
  };
  const selector = releaseSelector(options.release);
  const readyCount = () => kubectl.readyCount(options.namespace, selector).catch(() => undefined);
  const version = await helm.version();
  log().info(`Helm ${version.version}; release ${options.release} in namespace ${options.namespace}`);

  let existing = await helm.status(target);
  if (options.refuseDowngrade) {
    // Only a deployed revision says what serves: the values of a failed or pending one are those of
    // a rollout that did not happen, and comparing with them would refuse a good delivery.
    const serving = existing?.status === 'deployed' ? existing : undefined;
    if (existing && !serving)
      log().info(
        `refuse-downgrade: the release's last revision is ${existing.status}; nothing to compare with`,
      );
    assertNotOlder(serving, options.imageTag, target);
  }
  if (existing && PENDING_STATUSES.includes(existing.status)) {
    existing = await recoverStuckRelease(helm, target, existing, options);
  }
  const previousRevision = existing?.revision;
  const known = {
    helmVersion: version.version,
    previousRevision,
    image: describeImage(options, existing),
    smokeTest: options.smokeTest,
  };

  // Helm 3's --atomic would roll back before we could look at the failing pods: roll back ourselves.
  const helmRollsBack = options.rollbackOnFailure && version.major === 4;
  // Helm waits for readiness when asked to, and always before it may roll back.
  const watch = {
    kubectl,
    namespace: options.namespace,
    release: options.release,
    graceMs: options.wait || options.rollbackOnFailure ? failFastAfterMs : 0,
  };
  try {
    await withValuesFiles(options, (valuesFiles) =>
      watchRollout(watch, (signal) =>
        helm.upgradeInstall(
          {
            ...target,
            chart: options.chart,
            valuesFiles,
            set: options.set,
            createNamespace: options.createNamespace,
            timeout: options.timeout,
            wait: options.wait,
            rollbackOnFailure: helmRollsBack,
          },
          signal,
        ),
      ),
    );
  } catch (error) {
    if (!(error instanceof ToolError || error instanceof RolloutStuckError)) throw error;
    // Not an error annotation: the step's own failure message carries the reason once.
    const what = error instanceof RolloutStuckError ? 'rollout given up' : 'helm upgrade failed';
    log().info(`${what}: ${error.message}; collecting diagnostics`);
    const diagnostics = await collectDiagnostics(kubectl, options.namespace, selector);
    const before = { revision: previousRevision ?? 0, status: existing?.status ?? 'not installed' };
    // Helm stopped on SIGTERM marks the revision failed (and rolls back itself when told to); one
    // that could not finish that is left pending, which is settled as a stuck release would be.
    const leftPending =
      error instanceof RolloutStuckError && (await isPending(helm, target).catch(() => false));
    const after: ReleaseState = !options.rollbackOnFailure
      ? await stateAsLeft(helm, target, before)
      : helmRollsBack && !leftPending
        ? await stateAfterHelmRollback(helm, target, previousRevision)
        : await rollBack(helm, target, { timeout: options.timeout, previousRevision, current: before });
    throw new DeployFailedError(
      `deploy of ${options.release} failed (${rollbackOutcome(after, previousRevision)}): ${error.message}`,
      { ...known, ...after, podsReady: await readyCount() },
      diagnosticsMarkdown(diagnostics),
    );
  }

  const deployed = await helm.status(target);
  const current = { revision: deployed?.revision ?? 0, status: deployed?.status ?? 'unknown' };
  log().info(`Release ${options.release} is at revision ${current.revision} (${current.status})`);

  let smokeTest: string;
  try {
    smokeTest = await smokeTestRelease(
      options.smokeTest,
      { helm, kubectl },
      { ...target, selector, timeout: options.timeout },
    );
  } catch (error) {
    if (!(error instanceof ActionError)) throw error;
    log().info(`${error.message}; collecting diagnostics`);
    const diagnostics = await collectDiagnostics(kubectl, options.namespace, selector);
    const after: ReleaseState = options.rollbackOnFailure
      ? await rollBack(helm, target, { timeout: options.timeout, previousRevision, current })
      : { ...current, rolledBack: false };
    throw new DeployFailedError(
      `smoke test of ${options.release} revision ${current.revision} failed (${rollbackOutcome(after, previousRevision)}): ${error.message}`,
      { ...known, ...after, podsReady: await readyCount() },
      diagnosticsMarkdown(diagnostics),
    );
  }
  return { ...known, ...current, rolledBack: false, smokeTest, podsReady: await readyCount() };
}

async function isPending(helm: HelmClient, target: ReleaseTarget): Promise<boolean> {
  const status = (await helm.status(target))?.status;
  return status !== undefined && PENDING_STATUSES.includes(status);
}

/** What a failed deploy left, for its message: a first install has no revision to go back to. */
function rollbackOutcome(after: ReleaseState, previousRevision: number | undefined): string {
  if (!after.rolledBack) return 'not rolled back';
  return previousRevision === undefined
    ? 'the failed install was removed'
    : `rolled back to revision ${previousRevision}`;
}

function describeImage(options: DeployOptions, existing?: HelmRelease): string {
  const repository = options.imageRepository ?? '(chart default)';
  const tag =
    options.imageTag ?? (existing?.appVersion ? `${existing.appVersion} (appVersion)` : '(appVersion)');
  return `${repository}:${tag}${options.imageDigest ? `@${options.imageDigest}` : ''}`;
}
