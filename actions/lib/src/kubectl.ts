import { execa, type ResultPromise } from 'execa';
import { ActionError } from './errors.js';
import { log } from './log.js';
import { meaningfulLine, runTool } from './process.js';

/**
 * A small typed kubectl client for what a deploy needs to know about its release: readiness, and when
 * something goes wrong, the events, pod descriptions and log tails that say why. Reads are silent
 * (JSON is parsed, not shown); the caller decides what goes into the log and the job summary.
 */

export interface KubeEvent {
  type: string;
  reason: string;
  /** `Kind/name` of the object the event is about. */
  object: string;
  message: string;
  count: number;
  lastSeen: string;
}

export interface PodInfo {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why containers are not running (`CrashLoopBackOff`, `ImagePullBackOff`, `OOMKilled`, ...). */
  reasons: string[];
}

export interface ServiceInfo {
  name: string;
  ports: { name: string; port: number }[];
}

export interface ReadyCount {
  ready: number;
  desired: number;
}

export interface PortForward {
  localPort: number;
  close(): Promise<void>;
}

export interface KubectlClientOptions {
  binary?: string;
  /** The kubeconfig context; default the current one. */
  context?: string;
  env?: Record<string, string | undefined>;
}

interface KubeList<T> {
  items?: T[];
}

interface RawEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  metadata?: { creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string };
}

/** Why a container is not running, or how its last run ended, as the kubelet reports it. */
export interface ContainerStateDetail {
  reason?: string;
  message?: string;
  exitCode?: number;
}

export interface ContainerStatus {
  name?: string;
  /** The reference the container was started from. */
  image?: string;
  /** What the runtime resolved the image to, e.g. `ghcr.io/o/i@sha256:…`. */
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: ContainerStateDetail;
    running?: { startedAt?: string };
    terminated?: ContainerStateDetail;
  };
  lastState?: { terminated?: ContainerStateDetail };
}

/** The owner an object names, e.g. the ReplicaSet of a pod or the Deployment of a ReplicaSet. */
export interface OwnerReference {
  kind?: string;
  name?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  /** Set once the object is being deleted. */
  deletionTimestamp?: string;
}

export interface RawPod {
  metadata?: ObjectMeta;
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** A ReplicaSet as `kubectl get replicasets --output json` lists it, reduced to what is read. */
export interface RawReplicaSet {
  metadata?: ObjectMeta;
}

/** A pod list as `kubectl get pods --output json` prints it, parsed, for callers that need more than `PodInfo`. */
export interface PodList {
  items?: RawPod[];
}

export function parseEvents(json: string): KubeEvent[] {
  const list = JSON.parse(json) as KubeList<RawEvent>;
  return (list.items ?? [])
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      object: `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
      message: (e.message ?? '').trim(),
      count: e.series?.count ?? e.count ?? 1,
      lastSeen:
        e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '',
    }))
    .sort((a, b) => a.lastSeen.localeCompare(b.lastSeen));
}

export function parsePods(json: string): PodInfo[] {
  const list = JSON.parse(json) as KubeList<RawPod>;
  return (list.items ?? []).map((pod) => {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const reasons = statuses.flatMap((c) => {
      const now = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
      const before = c.lastState?.terminated?.reason;
      return [now, before].filter((r): r is string => Boolean(r) && r !== 'Completed');
    });
    return {
      name: pod.metadata?.name ?? '',
      phase: pod.status?.phase ?? 'Unknown',
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
      reasons: [...new Set(reasons)],
    };
  });
}

/** Pods worth a closer look after a failed rollout: not ready (and not a finished job), or crashing. */
export function failingPods(pods: readonly PodInfo[]): PodInfo[] {
  return pods.filter((p) => p.phase !== 'Succeeded' && (!p.ready || p.reasons.length > 0 || p.restarts > 0));
}

export function parseReadyCount(json: string): ReadyCount {
  const list = JSON.parse(json) as KubeList<{
    spec?: { replicas?: number };
    status?: { readyReplicas?: number };
  }>;
  return (list.items ?? []).reduce(
    (sum, d) => ({
      ready: sum.ready + (d.status?.readyReplicas ?? 0),
      desired: sum.desired + (d.spec?.replicas ?? 1),
    }),
    { ready: 0, desired: 0 },
  );
}

export function parseServices(json: string): ServiceInfo[] {
  const list = JSON.parse(json) as KubeList<{
    metadata?: { name?: string };
    spec?: { ports?: { name?: string; port?: number }[] };
  }>;
  return (list.items ?? []).map((s) => ({
    name: s.metadata?.name ?? '',
    ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name ?? '', port: Number(p.port) })),
  }));
}

/** The local port from kubectl's `Forwarding from 127.0.0.1:PORT -> REMOTE` line. */
export function parseForwardedPort(output: string): number | undefined {
  const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

/**
 * The chart's selector labels (instance and name): a release's workload pods and their ReplicaSets,
 * and not its helm test pod, which carries the instance label only.
 */
function releaseWorkloadSelector(release: string): string {
  return `app.kubernetes.io/instance=${release},app.kubernetes.io/name`;
}

export class KubectlClient {
  private readonly binary: string;
  private readonly context?: string;
  private readonly env?: Record<string, string | undefined>;

  constructor(options: KubectlClientOptions = {}) {
    this.binary = options.binary ?? 'kubectl';
    this.context = options.context;
    this.env = options.env;
  }

  /** Events of a namespace, oldest first. */
  async events(namespace: string): Promise<KubeEvent[]> {
    return parseEvents(await this.get(['get', 'events', '--namespace', namespace, '--output', 'json']));
  }

  async pods(namespace: string, selector: string): Promise<PodInfo[]> {
    return parsePods(await this.list('pods', namespace, selector));
  }

  /** The workload pods of a release (not its helm test pod) as kubectl lists them. */
  async releasePods(namespace: string, release: string): Promise<PodList> {
    return JSON.parse(await this.list('pods', namespace, releaseWorkloadSelector(release))) as PodList;
  }

  /** The ReplicaSets of a release's Deployments (they carry the pod template's labels). */
  async releaseReplicaSets(namespace: string, release: string): Promise<RawReplicaSet[]> {
    const list = JSON.parse(
      await this.list('replicasets', namespace, releaseWorkloadSelector(release)),
    ) as KubeList<RawReplicaSet>;
    return list.items ?? [];
  }

  /** Ready versus desired replicas over the release's Deployments. */
  async readyCount(namespace: string, selector: string): Promise<ReadyCount> {
    return parseReadyCount(await this.list('deployments', namespace, selector));
  }

  async services(namespace: string, selector: string): Promise<ServiceInfo[]> {
    return parseServices(await this.list('services', namespace, selector));
  }

  /** `kubectl describe pod` text of the given pods (empty list: nothing to describe). */
  async describePods(namespace: string, names: readonly string[]): Promise<string> {
    if (names.length === 0) return '';
    const result = await runTool(
      this.binary,
      ['describe', 'pods', '--namespace', namespace, ...names, ...this.contextArgs()],
      {
        group: false,
        allowFailure: true,
        env: this.env,
        timeoutMs: 60_000,
      },
    );
    return result.exitCode === 0 ? result.stdout : `(describe failed: ${result.stderr.trim()})`;
  }

  /** The last lines of a pod's logs, and of its previous container run when it restarted. */
  async logsTail(namespace: string, pod: string, lines = 40, previous = false): Promise<string> {
    const result = await runTool(
      this.binary,
      [
        'logs',
        pod,
        '--namespace',
        namespace,
        '--all-containers',
        '--tail',
        String(lines),
        ...(previous ? ['--previous'] : []),
        ...this.contextArgs(),
      ],
      { group: false, allowFailure: true, env: this.env, timeoutMs: 60_000 },
    );
    return result.exitCode === 0 ? result.stdout : `(no logs: ${result.stderr.trim()})`;
  }

  /**
   * Forwards a local port on 127.0.0.1 to a Service port, resolving once kubectl listens. `localPort`
   * 0 lets kubectl pick a free one. The caller must `close()` it.
   */
  async portForward(
    namespace: string,
    service: string,
    remotePort: number,
    localPort = 0,
    readyTimeoutMs = 30_000,
  ): Promise<PortForward> {
    const args = [
      'port-forward',
      '--namespace',
      namespace,
      '--address',
      '127.0.0.1',
      `service/${service}`,
      `${localPort === 0 ? '' : localPort}:${remotePort}`,
      ...this.contextArgs(),
    ];
    log().debug(`$ ${this.binary} ${args.join(' ')}`);
    const child: ResultPromise = execa(this.binary, args, { env: this.env, reject: false, buffer: false });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new ActionError(
            `kubectl port-forward to service/${service} did not start within ${readyTimeoutMs / 1000}s`,
          ),
        );
      }, readyTimeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const found = parseForwardedPort(output);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void child.then((result) => {
        clearTimeout(timer);
        const code = (result as { code?: string }).code;
        reject(
          new ActionError(
            code === 'ENOENT'
              ? `${this.binary} was not found on PATH. Install kubectl (https://kubernetes.io/docs/tasks/tools/).`
              : `kubectl port-forward to service/${service} exited: ${meaningfulLine(output)}`,
          ),
        );
      });
    }).catch(async (error: unknown) => {
      child.kill();
      await child;
      throw error;
    });
    return {
      localPort: port,
      close: async () => {
        child.kill();
        await child;
      },
    };
  }

  private contextArgs(): string[] {
    return this.context ? ['--context', this.context] : [];
  }

  /** `kubectl get <kind>` of the objects matching `selector`, as JSON text. */
  private list(kind: string, namespace: string, selector: string): Promise<string> {
    return this.get(['get', kind, '--namespace', namespace, '--selector', selector, '--output', 'json']);
  }

  private async get(args: string[]): Promise<string> {
    // Context last, so a failure message names the subcommand rather than the context.
    const result = await runTool(this.binary, [...args, ...this.contextArgs()], {
      group: false,
      env: this.env,
      timeoutMs: 60_000,
    });
    return result.stdout;
  }
}
