import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import { collectDiagnostics, diagnosticsMarkdown } from './deploy-diagnostics.js';
import { ActionError, InputError } from './errors.js';
import {
  HelmClient,
  lastDeployedRevision,
  parseGoDuration,
  PENDING_STATUSES,
  type HelmRelease,
  type HelmVersion,
  type ReleaseTarget,
} from './helm.js';
import { KubectlClient, type ReadyCount } from './kubectl.js';
import { log } from './log.js';
import { ToolError } from './process.js';
import { httpSmokeTest } from './smoke-test.js';

/**
 * The deploy flow shared by the `helm-deploy` action and the local CLI: clear a release left stuck by
 * a cancelled run, `helm upgrade --install` with the image passed through a values file, roll back
 * and gather diagnostics when the rollout fails, then smoke-test what is running.
 */

export type SmokeTest = 'helm' | 'http' | 'none';

export interface DeployOptions extends ReleaseTarget {
  chart: string;
  createNamespace: boolean;
  imageRepository?: string;
  imageTag?: string;
  /** Inline values YAML; may hold secrets, so it only ever goes to a 0600 file. */
  values?: string;
  valuesFiles: readonly string[];
  set: readonly { key: string; value: string }[];
  /** Go duration for each Helm operation. */
  timeout: string;
  wait: boolean;
  rollbackOnFailure: boolean;
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

/** The image values Helm gets through a file: only what was given, so the chart's defaults stay. */
export function imageValues(repository?: string, tag?: string): Record<string, unknown> | undefined {
  const image: Record<string, string> = {};
  if (repository) image.repository = repository;
  if (tag) image.tag = tag;
  return Object.keys(image).length > 0 ? { image } : undefined;
}

/** Key names whose values are credentials (`password`, `apiToken`, `clientSecret`, `privateKey`, ...). */
const SECRET_KEY =
  /pass(word|wd)?|token|secret|credential|private|api[-_]?key|(^|[-_.])key$|Key$|auth|cert|dsn/i;

/**
 * Validates inline values YAML (a mapping) and returns the scalar strings found under secret-looking
 * keys, at any depth and in lists, for masking. Everything else in `values` stays readable in logs of
 * other tools, so secrets belong under such keys (or in a values file that is itself a secret).
 */
export function inlineValuesSecrets(input: string, yamlText: string): string[] {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0)
    throw new InputError(input, `is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  if (doc.contents !== null && !isMap(doc.contents))
    throw new InputError(input, 'must be a YAML mapping of values');
  const found = new Set<string>();
  const visit = (node: YamlNode | null | undefined, secret: boolean) => {
    if (!node) return;
    if (isScalar(node)) {
      const text = node.value === null ? '' : String(node.value);
      if (secret && text.length > 0) {
        found.add(text);
        // The runner masks a registered value as a whole; a key or certificate is logged line by line.
        for (const line of text.split('\n')) if (line.trim().length >= 8) found.add(line.trim());
      }
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        visit(pair.value as YamlNode | null, secret || SECRET_KEY.test(key));
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item as YamlNode, secret);
    }
  };
  visit(doc.contents as YamlNode | null, false);
  return [...found];
}

/** Writes one values file readable only by us (mode 0600), inside a 0700 directory. */
async function writePrivate(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function deployRelease(options: DeployOptions): Promise<DeployResult> {
  if (parseGoDuration(options.timeout) === undefined) {
    throw new InputError('timeout', `'${options.timeout}' is not a duration such as 5m, 300s or 1m30s`);
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
  const version = await helm.version();
  log().info(`Helm ${version.version}; release ${options.release} in namespace ${options.namespace}`);

  let existing = await helm.status(target);
  if (existing && PENDING_STATUSES.includes(existing.status)) {
    existing = await recoverStuckRelease(helm, target, existing, options);
  }
  const previousRevision = existing?.revision;
  const image = describeImage(options, existing);
  const result: DeployResult = {
    helmVersion: version.version,
    revision: previousRevision ?? 0,
    status: existing?.status ?? 'not installed',
    previousRevision,
    rolledBack: false,
    image,
    smokeTest: options.smokeTest,
  };

  const dir = await mkdtemp(path.join(tmpdir(), 'helm-deploy-'));
  try {
    await chmod(dir, 0o700);
    const valuesFiles = [...options.valuesFiles];
    // Inline values and the image go after the files, so the step's own inputs win over them.
    if (options.values?.trim()) valuesFiles.push(await writePrivate(dir, 'values.yaml', options.values));
    const imageOverride = imageValues(options.imageRepository, options.imageTag);
    if (imageOverride) valuesFiles.push(await writePrivate(dir, 'image.yaml', stringify(imageOverride)));

    // Helm 3's --atomic would roll back before we could look at the failing pods: roll back ourselves.
    const helmRollsBack = options.rollbackOnFailure && version.major === 4;
    try {
      await helm.upgradeInstall({
        ...target,
        chart: options.chart,
        valuesFiles,
        set: options.set,
        createNamespace: options.createNamespace,
        timeout: options.timeout,
        wait: options.wait,
        rollbackOnFailure: helmRollsBack,
      });
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      throw await handleFailedUpgrade(error, { helm, kubectl, target, selector, options, version, result });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const deployed = await helm.status(target);
  result.revision = deployed?.revision ?? 0;
  result.status = deployed?.status ?? 'unknown';
  log().info(`Release ${options.release} is at revision ${result.revision} (${result.status})`);

  try {
    result.smokeTest = await runSmokeTest(helm, kubectl, target, selector, options);
  } catch (error) {
    throw await handleFailedSmokeTest(error, { helm, kubectl, target, selector, options, version, result });
  }
  result.podsReady = await kubectl.readyCount(options.namespace, selector).catch(() => undefined);
  return result;
}

function describeImage(options: DeployOptions, existing?: HelmRelease): string {
  const repository = options.imageRepository ?? '(chart default)';
  const tag =
    options.imageTag ?? (existing?.appVersion ? `${existing.appVersion} (appVersion)` : '(appVersion)');
  return `${repository}:${tag}`;
}

/**
 * A release left in `pending-*` by a cancelled run blocks every later upgrade ("another operation is
 * in progress"). Without `rollback-on-failure` we stop and name the command that fixes it; with it we
 * return to the last deployed revision (or remove a never-finished install), as Helm's own
 * rollback-on-failure would have done had the run not been cancelled.
 */
async function recoverStuckRelease(
  helm: HelmClient,
  target: ReleaseTarget,
  stuck: HelmRelease,
  options: DeployOptions,
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

interface FailureContext {
  helm: HelmClient;
  kubectl: KubectlClient;
  target: ReleaseTarget;
  selector: string;
  options: DeployOptions;
  version: HelmVersion;
  result: DeployResult;
}

async function handleFailedUpgrade(error: ToolError, context: FailureContext): Promise<DeployFailedError> {
  const { helm, kubectl, target, selector, options, version, result } = context;
  // Not an error annotation: the step's own failure message below carries the reason once.
  log().info(`helm upgrade failed: ${error.message}; collecting diagnostics`);
  const diagnostics = await collectDiagnostics(kubectl, options.namespace, selector);

  if (options.rollbackOnFailure && version.major === 3) {
    await rollBackExplicitly(context);
  } else if (options.rollbackOnFailure) {
    // Helm 4 rolled back (or removed a failed first install) itself; read what it left.
    const after = await helm.status(target).catch(() => undefined);
    result.rolledBack =
      after === undefined ? result.previousRevision === undefined : /^rollback/i.test(after.description);
    result.revision = after?.revision ?? 0;
    result.status = after?.status ?? 'uninstalled';
  } else {
    const after = await helm.status(target).catch(() => undefined);
    result.revision = after?.revision ?? result.revision;
    result.status = after?.status ?? result.status;
  }
  result.podsReady = await kubectl.readyCount(options.namespace, selector).catch(() => undefined);
  const outcome = result.rolledBack
    ? result.previousRevision === undefined
      ? 'the failed install was removed'
      : `rolled back to revision ${result.previousRevision}`
    : 'not rolled back';
  return new DeployFailedError(
    `deploy of ${options.release} failed (${outcome}): ${error.message}`,
    result,
    diagnosticsMarkdown(diagnostics),
  );
}

async function handleFailedSmokeTest(error: unknown, context: FailureContext): Promise<unknown> {
  if (!(error instanceof ActionError)) return error;
  const { kubectl, options, selector, result } = context;
  log().info(`${error.message}; collecting diagnostics`);
  const tested = result.revision;
  const diagnostics = await collectDiagnostics(kubectl, options.namespace, selector);
  if (options.rollbackOnFailure) await rollBackExplicitly(context);
  result.podsReady = await kubectl.readyCount(options.namespace, selector).catch(() => undefined);
  return new DeployFailedError(
    `smoke test of ${options.release} revision ${tested} failed${result.rolledBack ? ` (rolled back to revision ${result.previousRevision})` : ''}: ${error.message}`,
    result,
    diagnosticsMarkdown(diagnostics),
  );
}

/**
 * Returns to the newest revision that served before the one this deploy created, or removes a first
 * install that never served.
 */
async function rollBackExplicitly({ helm, target, options, result }: FailureContext): Promise<void> {
  try {
    const history = await helm.history(target);
    const back = lastDeployedRevision(history, history.at(-1)?.revision ?? Infinity);
    if (back === undefined && result.previousRevision === undefined) {
      await helm.uninstall(target, { timeout: options.timeout });
      result.status = 'uninstalled';
      result.revision = 0;
    } else if (back === undefined) {
      log().warning(`no earlier deployed revision of ${target.release} to roll back to`);
      return;
    } else {
      await helm.rollback(target, back, { timeout: options.timeout, wait: true });
      const after = await helm.status(target);
      result.revision = after?.revision ?? result.revision;
      result.status = after?.status ?? result.status;
    }
    result.rolledBack = true;
  } catch (rollbackError) {
    log().warning(`rollback failed too: ${describeError(rollbackError)}`);
  }
}

async function runSmokeTest(
  helm: HelmClient,
  kubectl: KubectlClient,
  target: ReleaseTarget,
  selector: string,
  options: DeployOptions,
): Promise<string> {
  if (options.smokeTest === 'none') return 'skipped';
  if (options.smokeTest === 'helm') {
    const test = await helm.test(target, { timeout: options.timeout });
    if (test.exitCode !== 0) {
      const reason =
        test.stderr
          .trim()
          .split('\n')
          .at(-1)
          ?.replace(/^Error:\s*/, '') ?? `exit ${test.exitCode}`;
      throw new ActionError(`helm test failed: ${reason}`);
    }
    return 'helm test passed';
  }
  const services = await kubectl.services(options.namespace, selector);
  const service = services.find((s) => s.ports.length > 0);
  if (!service) throw new ActionError(`smoke test: no Service with a port carries the label ${selector}`);
  const port = service.ports.find((p) => p.name === 'http') ?? service.ports[0];
  const forward = await kubectl.portForward(options.namespace, service.name, port.port);
  try {
    const checked = await httpSmokeTest(`http://127.0.0.1:${forward.localPort}/`);
    log().info(`GET /readyz: ${checked.readyz}; GET /: ${checked.statusLine}`);
    return `http: ${checked.statusLine}`;
  } finally {
    await forward.close();
  }
}
