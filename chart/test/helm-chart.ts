import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import type { IConfigMap, IPod, IService, IServiceAccount } from 'kubernetes-models/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress, INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { runTool } from '../../actions/lib/src/process.js';
import { locateTool } from '../../actions/lib/src/tools.js';

/** Runs the real helm binary against this chart; the helpers every chart test shares. */

export const CHART_DIR = fileURLToPath(new URL('..', import.meta.url));
export const RELEASE = 'incidents';
export const NAMESPACE = 'status';

/** Finding helm runs `helm version` once per worker. */
export const HELM_SETUP_TIMEOUT_MS = 30_000;
/** A test that runs helm a few times; generous because CI machines run many Jest workers at once. */
export const HELM_TEST_TIMEOUT_MS = 30_000;

/** Locates the pinned helm once, in a hook, so a missing helm fails there naming `npm run tools`. */
export async function prepareHelm(): Promise<void> {
  await locateTool('helm');
}

export interface Rendered {
  ConfigMap: IConfigMap;
  Deployment: IDeployment;
  Service: IService;
  ServiceAccount: IServiceAccount;
  Pod: IPod;
  PodDisruptionBudget: IPodDisruptionBudget;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  NetworkPolicy: INetworkPolicy;
  Ingress: IIngress;
}
export type Kind = keyof Rendered;
export type Manifest = Rendered[Kind] & { apiVersion: string; kind: string; metadata: { name: string } };

export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function helm(args: readonly string[]): Promise<HelmResult> {
  const result = await runTool(await locateTool('helm'), args, {
    group: false,
    allowFailure: true,
    timeoutMs: 60_000,
    // No kubeconfig: nothing in these tests may reach a cluster.
    env: { KUBECONFIG: '/dev/null' },
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Calls `use` with the path of a values file holding `values`, removed afterwards. */
export async function withValuesFile<T>(values: unknown, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'incidents-chart-values-'));
  try {
    const file = path.join(dir, 'values.yaml');
    await writeFile(file, typeof values === 'string' ? values : stringify(values));
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `helm template` with the given values (an object, or raw YAML text); rejects on a non-zero exit. */
export async function renderChart(
  values: unknown = {},
  extraArgs: readonly string[] = [],
): Promise<Manifest[]> {
  const result = await templateChart(values, extraArgs);
  if (result.exitCode !== 0) throw new Error(`helm template failed (${result.exitCode}): ${result.stderr}`);
  return parseManifests(result.stdout);
}

export function templateChart(values: unknown = {}, extraArgs: readonly string[] = []): Promise<HelmResult> {
  return withValuesFile(values, (file) =>
    helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--values', file, ...extraArgs]),
  );
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0)
      throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    manifests.push(value as Manifest);
  }
  return manifests;
}

/** The one rendered object of `kind` (optionally whose name ends with `suffix`); throws if not exactly one. */
export function only<K extends Kind>(manifests: readonly Manifest[], kind: K, suffix = ''): Rendered[K] {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name.endsWith(suffix));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${suffix ? ` named *${suffix}` : ''}, found ${found.length}`);
  }
  return found[0] as Rendered[K];
}

/** The two ConfigMaps the pods read, each named `<fullname>-<part>-<10 hex digits of its data's hash>`. */
export type ContentPart = 'env' | 'incidents';

/** The one rendered ConfigMap of `part`, found by its content name; throws if not exactly one. */
export function contentConfigMap(manifests: readonly Manifest[], part: ContentPart): IConfigMap {
  const pattern = new RegExp(`-${part}-[0-9a-f]{10}$`);
  const found = manifests.filter((m) => m.kind === 'ConfigMap' && pattern.test(m.metadata.name));
  if (found.length !== 1)
    throw new Error(`expected one ConfigMap named *-${part}-<hash>, found ${found.length}`);
  return found[0] as IConfigMap;
}

export function kindsOf(manifests: readonly Manifest[]): string[] {
  return manifests.map((m) => m.kind).sort();
}
