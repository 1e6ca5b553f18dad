import { ActionError } from './errors.js';
import { meaningfulLine, runTool, type RunOptions, type RunResult } from './process.js';

/**
 * A small typed Helm client. Arguments are always arrays (no shell), values reach Helm through files
 * (never argv), and JSON output is parsed into types. Helm 3 and Helm 4 differ in the flags that
 * matter here (`--atomic` became `--rollback-on-failure`, `--wait` became a strategy), so the flags
 * are chosen from the detected version rather than hard-coded.
 */

export type HelmMajor = 3 | 4;

export interface HelmVersion {
  /** As Helm prints it, e.g. `v4.1.4`. */
  version: string;
  major: HelmMajor;
}

export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export const PENDING_STATUSES: readonly ReleaseStatus[] = [
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
];

/** `helm status -o json`, reduced to what the pipeline reads. */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  description: string;
  chartName: string;
  chartVersion: string;
  appVersion: string;
  /** The user-supplied values of this revision (may hold secrets: never log it). */
  values: Record<string, unknown>;
}

/** One entry of `helm history -o json`. */
export interface HistoryEntry {
  revision: number;
  updated: string;
  status: ReleaseStatus;
  chart: string;
  appVersion: string;
  description: string;
}

/** Where a release lives. */
export interface ReleaseTarget {
  release: string;
  namespace: string;
  kubeContext?: string;
}

export interface UpgradeInstallOptions extends ReleaseTarget {
  chart: string;
  /** Applied in order; later files win. */
  valuesFiles: readonly string[];
  /** `--set key=value` pairs; for non-secret values only, as they end up in argv. */
  set: readonly { key: string; value: string }[];
  createNamespace: boolean;
  /** A Go duration, e.g. `5m`. */
  timeout: string;
  wait: boolean;
  /** Let Helm itself roll back (Helm 4) or purge/roll back (`--atomic`, Helm 3) on failure. */
  rollbackOnFailure: boolean;
}

/** The flags that name the cluster and namespace, shared by every release command. */
export function targetArgs(target: ReleaseTarget): string[] {
  return [
    '--namespace',
    target.namespace,
    ...(target.kubeContext ? ['--kube-context', target.kubeContext] : []),
  ];
}

/** `--wait` in Helm 3; Helm 4 takes a strategy, and `watcher` is the one that follows readiness. */
export function waitArgs(version: HelmVersion, wait: boolean): string[] {
  if (!wait) return [];
  return version.major === 4 ? ['--wait=watcher'] : ['--wait'];
}

export function rollbackOnFailureArgs(version: HelmVersion, rollbackOnFailure: boolean): string[] {
  if (!rollbackOnFailure) return [];
  return version.major === 4 ? ['--rollback-on-failure'] : ['--atomic'];
}

export function upgradeInstallArgs(version: HelmVersion, options: UpgradeInstallOptions): string[] {
  return [
    'upgrade',
    '--install',
    options.release,
    options.chart,
    ...targetArgs(options),
    ...(options.createNamespace ? ['--create-namespace'] : []),
    ...options.valuesFiles.flatMap((file) => ['--values', file]),
    ...options.set.flatMap(({ key, value }) => ['--set', `${key}=${value}`]),
    '--timeout',
    options.timeout,
    // Rolling back after a failure only makes sense once Helm has waited for readiness.
    ...waitArgs(version, options.wait || options.rollbackOnFailure),
    ...rollbackOnFailureArgs(version, options.rollbackOnFailure),
  ];
}

const GO_DURATION = /^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Milliseconds of a Go duration (`5m`, `300s`, `1m30s`), the format of Helm's `--timeout`; undefined
 * when Helm would refuse it. A bare number is refused: Helm would read `300` as an error, not seconds.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d*\.?\d+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(amount) * UNIT_MS[unit];
  return total;
}

/**
 * How long to let a Helm process run: its `--timeout` bounds each operation (the rollout, then each
 * hook), not the whole command, so the process gets twice that plus room to start and talk to the API.
 */
export function processTimeoutMs(timeout: string): number {
  return 2 * (parseGoDuration(timeout) ?? 300_000) + 120_000;
}

/**
 * Parses `helm status -o json`. Helm 3 includes the chart (`chart.metadata`); Helm 4 (checked against
 * 4.3 on the local cluster) leaves `chart` out, so its name, version and appVersion stay empty here
 * and `HelmClient.status` takes them from the revision's `helm history` entry instead.
 */
export function parseRelease(json: string): HelmRelease {
  const raw = parseJson(json, 'helm status') as {
    name?: string;
    namespace?: string;
    version?: number;
    info?: { status?: string; description?: string };
    chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
    config?: Record<string, unknown> | null;
  };
  return {
    name: raw.name ?? '',
    namespace: raw.namespace ?? '',
    revision: Number(raw.version ?? 0),
    status: (raw.info?.status ?? 'unknown') as ReleaseStatus,
    description: raw.info?.description ?? '',
    chartName: raw.chart?.metadata?.name ?? '',
    chartVersion: raw.chart?.metadata?.version ?? '',
    appVersion: raw.chart?.metadata?.appVersion ?? '',
    values: raw.config ?? {},
  };
}

/** Parses `helm history -o json`, oldest first. */
export function parseHistory(json: string): HistoryEntry[] {
  const raw = parseJson(json, 'helm history') as {
    revision?: number;
    updated?: string;
    status?: string;
    chart?: string;
    app_version?: string;
    description?: string;
  }[];
  if (!Array.isArray(raw)) throw new ActionError('helm history: expected a JSON list');
  return raw
    .map((entry) => ({
      revision: Number(entry.revision ?? 0),
      updated: entry.updated ?? '',
      status: (entry.status ?? 'unknown') as ReleaseStatus,
      chart: entry.chart ?? '',
      appVersion: entry.app_version ?? '',
      description: entry.description ?? '',
    }))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Splits history's `chart` field (`<name>-<version>`, e.g. `incidents-service-0.1.0`) at the first
 * dash followed by a version, since chart names may hold dashes and versions may too (`1.0.0-rc.1`).
 */
export function splitChartField(chart: string): { name: string; version: string } {
  const m = /^(.+?)-(v?\d+\.\d+\.\d+.*)$/.exec(chart);
  return m ? { name: m[1], version: m[2] } : { name: chart, version: '' };
}

/** The newest revision that was serving before `below`: what a rollback should return to. */
export function lastDeployedRevision(history: readonly HistoryEntry[], below = Infinity): number | undefined {
  const earlier = history.filter((h) => h.revision < below);
  const deployed = earlier.filter((h) => h.status === 'deployed').at(-1);
  // A finished upgrade marks its predecessor superseded; the newest such one served last.
  return (deployed ?? earlier.filter((h) => h.status === 'superseded').at(-1))?.revision;
}

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new ActionError(`${what}: unexpected output, not JSON: ${json.slice(0, 200)}`);
  }
}

function isNotFound(result: RunResult): boolean {
  return /release: not found/i.test(result.stderr);
}

export interface HelmClientOptions {
  /** The executable; default `helm` on PATH. */
  binary?: string;
  env?: Record<string, string | undefined>;
}

export class HelmClient {
  private readonly binary: string;
  private readonly env?: Record<string, string | undefined>;
  private detected?: Promise<HelmVersion>;

  constructor(options: HelmClientOptions = {}) {
    this.binary = options.binary ?? 'helm';
    this.env = options.env;
  }

  /** The Helm version on PATH; only 3 and 4 are supported. Detected once per client. */
  version(): Promise<HelmVersion> {
    this.detected ??= this.run(['version', '--template', '{{.Version}}'], { group: false }).then(
      ({ stdout }) => {
        const version = stdout.trim();
        const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
        if (major !== 3 && major !== 4) {
          throw new ActionError(`helm ${version || '(unknown version)'} is not supported; use Helm 4 (or 3)`);
        }
        return { version, major };
      },
    );
    return this.detected;
  }

  /**
   * `helm upgrade --install`; output is shown in the log (it holds no values). Aborting `signal`
   * stops Helm's wait: Helm catches SIGTERM, marks the revision failed and, with
   * rollback-on-failure, rolls back before it exits, so it gets as long as its timeout for that.
   */
  async upgradeInstall(options: UpgradeInstallOptions, signal?: AbortSignal): Promise<RunResult> {
    const version = await this.version();
    return this.run(upgradeInstallArgs(version, options), {
      group: `Helm ${version.version}: upgrade --install ${options.release} (${options.namespace})`,
      timeoutMs: processTimeoutMs(options.timeout),
      cancelSignal: signal,
      stopGraceMs: (parseGoDuration(options.timeout) ?? 300_000) + 60_000,
    });
  }

  /** The release's current status, or undefined when it does not exist. */
  async status(target: ReleaseTarget): Promise<HelmRelease | undefined> {
    // Silent: the JSON holds the release's values, secrets included.
    const result = await this.run(['status', target.release, ...targetArgs(target), '--output', 'json'], {
      group: false,
      allowFailure: true,
    });
    if (result.exitCode !== 0) {
      if (isNotFound(result)) return undefined;
      throw this.failure('status', result);
    }
    const release = parseRelease(result.stdout);
    if (release.chartName === '' && release.revision > 0) {
      // Helm 4's status has no chart: the history entry of the same revision names it.
      const entry = (await this.history(target, 1)).find((h) => h.revision === release.revision);
      if (entry) {
        const chart = splitChartField(entry.chart);
        return {
          ...release,
          chartName: chart.name,
          chartVersion: chart.version,
          appVersion: entry.appVersion,
        };
      }
    }
    return release;
  }

  /** The release's revisions, oldest first; empty when the release does not exist. */
  async history(target: ReleaseTarget, max = 20): Promise<HistoryEntry[]> {
    const result = await this.run(
      ['history', target.release, ...targetArgs(target), '--max', String(max), '--output', 'json'],
      { group: false, allowFailure: true },
    );
    if (result.exitCode !== 0) {
      if (isNotFound(result)) return [];
      throw this.failure('history', result);
    }
    return parseHistory(result.stdout);
  }

  /**
   * `helm rollback`. Aborting `options.signal` stops its wait; Helm's rollback does not catch SIGTERM,
   * so the new revision stays `pending-rollback` and the caller has to settle it.
   */
  async rollback(
    target: ReleaseTarget,
    revision: number,
    options: { timeout: string; wait: boolean; signal?: AbortSignal },
  ): Promise<RunResult> {
    const version = await this.version();
    return this.run(
      [
        'rollback',
        target.release,
        String(revision),
        ...targetArgs(target),
        '--timeout',
        options.timeout,
        ...waitArgs(version, options.wait),
      ],
      {
        group: `helm rollback ${target.release} to revision ${revision}`,
        timeoutMs: processTimeoutMs(options.timeout),
        cancelSignal: options.signal,
      },
    );
  }

  async uninstall(target: ReleaseTarget, options: { timeout: string }): Promise<RunResult> {
    return this.run(['uninstall', target.release, ...targetArgs(target), '--timeout', options.timeout], {
      group: `helm uninstall ${target.release}`,
      timeoutMs: processTimeoutMs(options.timeout),
    });
  }

  /** Runs the chart's test hooks; `allowFailure` so the caller can report the test pod's logs. */
  async test(target: ReleaseTarget, options: { timeout: string }): Promise<RunResult> {
    return this.run(['test', target.release, ...targetArgs(target), '--timeout', options.timeout, '--logs'], {
      group: `helm test ${target.release}`,
      allowFailure: true,
      timeoutMs: processTimeoutMs(options.timeout),
    });
  }

  private run(
    args: string[],
    options: Pick<RunOptions, 'group' | 'allowFailure' | 'timeoutMs' | 'cancelSignal' | 'stopGraceMs'>,
  ) {
    return runTool(this.binary, args, { ...options, env: this.env });
  }

  private failure(command: string, result: RunResult): ActionError {
    return new ActionError(
      `helm ${command} failed (exit ${result.exitCode}): ${meaningfulLine(result.stderr)}`,
    );
  }
}
