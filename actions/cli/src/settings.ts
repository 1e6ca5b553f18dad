import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';

/**
 * The fixed facts of the local setup, the same the workflows use: the kind cluster `incidents` from
 * `kind-config.yaml`, the image `incidents-service`, and the chart deployed as release
 * `incidents-service` in namespace `incidents`, always through the kind cluster's own kubeconfig
 * context so a local command can never deploy to another cluster.
 */
export interface Settings {
  root: string;
  /** `kind` (default), or `local`: the cluster of `npm run cluster` (INCIDENTS_CLUSTER=local). */
  target: 'kind' | 'local';
  cluster: string;
  kubeContext: string;
  kindConfig: string;
  image: string;
  serviceDir: string;
  chart: string;
  release: string;
  namespace: string;
  timeout: string;
  /** Where the CLI installs kind when it is missing. */
  toolsDir: string;
  /** Base image of the service build (INCIDENTS_BASE_IMAGE); default the Dockerfile's. */
  baseImage?: string;
  /** kind release mirror (default GitHub's). */
  kindDownloadBaseUrl?: string;
}

/**
 * The repository root: the nearest directory holding `kind-config.yaml` and `chart/`, looking up from
 * the working directory (npm runs scripts at the root) and then from the bundle's own location.
 */
export function repositoryRoot(
  starts: readonly string[] = [process.cwd(), fileURLToPath(import.meta.url)],
): string {
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'kind-config.yaml')) && existsSync(path.join(dir, 'chart', 'Chart.yaml')))
        return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new ActionError(
    'cannot find the repository (kind-config.yaml and chart/); run the CLI from inside it',
  );
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const root = repositoryRoot();
  const kindConfig = path.join(root, 'kind-config.yaml');
  const cluster = clusterName(kindConfig);
  const target = env.INCIDENTS_CLUSTER || 'kind';
  if (target !== 'kind' && target !== 'local')
    throw new ActionError(`INCIDENTS_CLUSTER must be kind or local, got '${target}'`);
  return {
    root,
    target,
    cluster,
    // The local cluster's kubeconfig holds its one context only: the current one is that cluster.
    kubeContext: target === 'kind' ? `kind-${cluster}` : '',
    kindConfig,
    image: 'incidents-service',
    serviceDir: path.join(root, 'service'),
    chart: path.join(root, 'chart'),
    release: 'incidents-service',
    namespace: 'incidents',
    timeout: '5m',
    toolsDir: env.INCIDENTS_TOOLS_DIR || path.join(root, '.cache', 'tools', 'bin'),
    kindDownloadBaseUrl: env.KIND_DOWNLOAD_BASE_URL || undefined,
    baseImage: env.INCIDENTS_BASE_IMAGE || undefined,
  };
}

function clusterName(kindConfig: string): string {
  try {
    const config = parse(readFileSync(kindConfig, 'utf8')) as { name?: string } | null;
    return config?.name ?? 'incidents';
  } catch {
    return 'incidents';
  }
}

/** The version `init` deploys: the chart's appVersion. */
export function initialVersion(settings: Settings): string {
  const chart = parse(readFileSync(path.join(settings.chart, 'Chart.yaml'), 'utf8')) as {
    appVersion?: string;
  };
  return String(chart.appVersion ?? '0.1.0');
}
