import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { apiGet, nodeReady } from './api.js';
import { ensureCertificates, pkiPaths, type Pki } from './certificates.js';
import { builtClusterBinaries, ensureClusterBinaries, type ClusterBinaries } from './components.js';
import { apiServer, controllerManager, etcd, kubeconfigOf, scheduler } from './control-plane.js';
import { corednsManifests } from './dns.js';
import { containerdImages, ensureClusterImages, loadImages } from './images.js';
import { writeKubeconfig } from './kubeconfig.js';
import { NETWORK, NODE_NAME, statePaths, type StatePaths } from './layout.js';
import {
  rememberMachine,
  podProcesses,
  removePodCgroups,
  restoreMachine,
  unmountUnder,
  writeSysctl,
} from './machine.js';
import {
  ensureFilterRules,
  ensureNodeInterface,
  reassertFilterOrder,
  removeClusterChains,
  removeLinks,
} from './network.js';
import { containerd, kubelet, kubeProxy, writeNodeConfig } from './node.js';
import { BUILD_REQUIREMENTS, RUN_REQUIREMENTS, checkRequirements } from './prerequisites.js';
import {
  isAlive,
  pidsRunning,
  residentMiB,
  runningPid,
  startDaemon,
  stopDaemon,
  stopPid,
  type Daemon,
} from './processes.js';
import { progress } from './progress.js';
import { allowLoopbackRegistry, writeRuntimeConfig } from './runtime.js';

/**
 * `up`, `down`, `status` and `load-image` of the local single-node cluster: the control plane, the
 * node and cluster DNS as processes of this machine, in the order upstream's hack/local-up-cluster.sh
 * starts them.
 */

class DaemonExitedError extends Error {}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  logHint?: string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe that cannot answer yet is asked again; a daemon that exited never will answer.
    const value = await probe().catch((error: unknown) => {
      if (error instanceof DaemonExitedError) throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${logHint ? `; see ${logHint}` : ''}`,
      );
    }
    await sleep(200);
  }
}

/** Every daemon in start order (`down` stops them in reverse). */
function daemons(bin: ClusterBinaries, paths: StatePaths, pki: Pki): Daemon[] {
  return [
    etcd(bin, paths),
    apiServer(bin, paths, pki),
    controllerManager(bin, paths, pki),
    scheduler(bin, paths),
    containerd(bin, paths),
    kubelet(bin, paths),
    kubeProxy(bin, paths),
  ];
}

const dirs = (paths: StatePaths) => ({ pids: paths.pids, logs: paths.logs });
const logOf = (paths: StatePaths, name: string) => path.join(paths.logs, `${name}.log`);

/** What a caller needs to use the cluster: `up`'s answer, and `npm run cluster -- up --json`. */
export interface ClusterAccess {
  /** A kubeconfig whose only context is this cluster, with the admin identity. */
  kubeconfig: string;
  /** The folder of the cluster's own kubectl (and the other Kubernetes binaries). */
  binDir: string;
}

/** The lines `npm run cluster -- up` prints for a shell to evaluate. */
export function exportLines(access: ClusterAccess): string {
  return `export KUBECONFIG=${access.kubeconfig}\nexport PATH=${access.binDir}:$PATH\n`;
}

/** What the steps of `up` share, as kind's create actions share one context. */
interface UpContext {
  paths: StatePaths;
  bin: ClusterBinaries;
  pki: Pki;
  all: Daemon[];
  /** The cluster's own images (pause, CoreDNS), built once per `up`. */
  images: string[];
  started: number;
}

interface UpStep {
  name: string;
  run: (ctx: UpContext) => Promise<void>;
}

/** Starts a daemon unless it runs; then waits until `ready` answers, or the daemon exits. */
async function startAndWait(
  ctx: UpContext,
  name: string,
  ready?: { what: string; probe: () => Promise<boolean>; timeoutMs: number },
): Promise<void> {
  const daemon = ctx.all.find((d) => d.name === name)!;
  if (runningPid(dirs(ctx.paths), daemon) === undefined) {
    progress(`starting ${name}`);
    await startDaemon(dirs(ctx.paths), daemon);
  }
  if (!ready) return;
  await waitFor(
    ready.what,
    async () => {
      if (runningPid(dirs(ctx.paths), daemon) === undefined)
        throw new DaemonExitedError(`${name} exited; see ${logOf(ctx.paths, name)}`);
      return (await ready.probe()) ? true : undefined;
    },
    ready.timeoutMs,
    logOf(ctx.paths, name),
  );
}

/** The steps of `up`, in the order upstream's hack/local-up-cluster.sh starts things. */
const UP_STEPS: UpStep[] = [
  {
    name: 'certificates and kubeconfigs',
    run: async ({ paths, pki }) => {
      await mkdir(paths.config, { recursive: true });
      await writeKubeconfig(paths.kubeconfig, pki, 'admin');
      for (const [component, identity] of [
        ['controller-manager', 'controller-manager'],
        ['scheduler', 'scheduler'],
        ['kubelet', 'kubelet-client'],
        ['kube-proxy', 'kube-proxy'],
      ]) {
        await writeKubeconfig(kubeconfigOf(paths, component), pki, identity);
      }
    },
  },
  {
    name: 'network: node interface, Service route, filter rules',
    run: async () => {
      await writeSysctl('net/ipv4/ip_forward', '1');
      await writeSysctl('net/bridge/bridge-nf-call-iptables', '1');
      await ensureNodeInterface();
      await ensureFilterRules();
    },
  },
  {
    name: 'etcd',
    run: (ctx) =>
      startAndWait(ctx, 'etcd', {
        what: 'etcd',
        probe: async () => (await fetch(`http://127.0.0.1:${NETWORK.etcdClientPort}/health`)).ok,
        timeoutMs: 30_000,
      }),
  },
  {
    name: 'API server, controller manager, scheduler',
    run: async (ctx) => {
      await startAndWait(ctx, 'kube-apiserver', {
        what: 'the API server to be ready',
        probe: async () => (await apiGet(ctx.pki, '/readyz')).status === 200,
        timeoutMs: 60_000,
      });
      await startAndWait(ctx, 'kube-controller-manager');
      await startAndWait(ctx, 'kube-scheduler');
    },
  },
  {
    name: 'containerd and the cluster images',
    run: async (ctx) => {
      const { bin, paths } = ctx;
      await writeRuntimeConfig(paths);
      await startAndWait(ctx, 'containerd', {
        what: 'containerd',
        probe: async () => (await containerdImages(bin, paths.containerdSocket)) !== undefined,
        timeoutMs: 30_000,
      });
      const present = await containerdImages(bin, paths.containerdSocket);
      const missing = ctx.images.filter((image) => !present.includes(image));
      if (missing.length > 0)
        await loadImages(bin, paths.containerdSocket, missing, path.join(paths.run, 'images'));
    },
  },
  {
    name: 'kubelet and kube-proxy',
    run: async (ctx) => {
      await writeNodeConfig(ctx.paths, ctx.pki);
      await startAndWait(ctx, 'kubelet');
      await startAndWait(ctx, 'kube-proxy', {
        what: `node ${NODE_NAME} to be Ready`,
        probe: async () => {
          if (
            runningPid(
              dirs(ctx.paths),
              ctx.all.find((d) => d.name === 'kubelet')!,
            ) === undefined
          )
            throw new Error(`kubelet exited; see ${logOf(ctx.paths, 'kubelet')}`);
          return (await nodeReady(ctx.pki, NODE_NAME))?.status === 'True';
        },
        timeoutMs: 120_000,
      });
      progress(`node ${NODE_NAME} Ready (${((Date.now() - ctx.started) / 1000).toFixed(1)} s)`);
      // kube-proxy prepends its own jumps during its first sync; once it reports that sync done (its
      // health check turns healthy), ours go back in front of them.
      await waitFor(
        "kube-proxy's first sync",
        async () => {
          const r = await fetch('http://127.0.0.1:10256/healthz');
          const health = (await r.json()) as { status?: { IPv4?: { healthy?: boolean } } };
          return r.ok && health.status?.IPv4?.healthy ? true : undefined;
        },
        30_000,
        logOf(ctx.paths, 'kube-proxy'),
      );
      await reassertFilterOrder();
    },
  },
  {
    name: 'cluster DNS: CoreDNS',
    run: async ({ bin, paths }) => {
      const kubectl = bin.kubernetes.path('kubectl');
      const env = { KUBECONFIG: paths.kubeconfig };
      await execa(kubectl, ['apply', '--server-side', '--force-conflicts', '-f', '-'], {
        input: JSON.stringify(corednsManifests()),
        env,
      });
      await execa(
        kubectl,
        ['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s'],
        {
          env,
        },
      );
      await reassertFilterOrder();
    },
  },
];

/**
 * Brings the cluster up, or finds it up (every step skips what runs), and says how to reach it.
 * When a step fails on a machine where no part of the cluster ran before, `down` undoes what the
 * earlier steps made, as kind deletes a cluster whose creation failed; INCIDENTS_CLUSTER_RETAIN=1
 * keeps it for a look at the logs (kind's --retain). A cluster that was already running is left
 * as it is.
 */
export async function up(): Promise<ClusterAccess> {
  const paths = statePaths();
  await checkRequirements([...BUILD_REQUIREMENTS, ...RUN_REQUIREMENTS]);
  const bin = await ensureClusterBinaries();
  const images = await ensureClusterImages(bin);
  const wasDown = (await status()).state === 'down';

  await mkdir(paths.run, { recursive: true });
  await mkdir(paths.logs, { recursive: true });
  await rememberMachine(paths.machineBefore);
  const pki = await ensureCertificates(paths.pki);
  const ctx: UpContext = { paths, bin, pki, all: daemons(bin, paths, pki), images, started: Date.now() };
  for (const step of UP_STEPS) {
    progress(step.name);
    try {
      await step.run(ctx);
    } catch (error) {
      if (wasDown && process.env.INCIDENTS_CLUSTER_RETAIN !== '1') {
        progress(`${step.name} failed: undoing what up made (INCIDENTS_CLUSTER_RETAIN=1 keeps it)`);
        await down().catch((e: unknown) => progress(`warning: clean-up after the failure: ${String(e)}`));
      }
      throw new Error(`up: ${step.name}: ${(error as Error).message}`, { cause: error });
    }
  }
  progress(`cluster up in ${((Date.now() - ctx.started) / 1000).toFixed(1)} s`);
  return { kubeconfig: paths.kubeconfig, binDir: bin.kubernetes.dir };
}

export async function down(): Promise<void> {
  const paths = statePaths();
  const bin = builtClusterBinaries();
  const pki = pkiPaths(paths.pki);
  const all = daemons(bin, paths, pki);
  const stop = async (name: string, graceMs = 5_000) => {
    const daemon = all.find((d) => d.name === name)!;
    if (runningPid(dirs(paths), daemon) !== undefined) progress(`stopping ${name}`);
    await stopDaemon(dirs(paths), daemon, graceMs);
  };

  // The kubelet first, so that it does not restart what is stopped next; then the pods' own
  // processes, the containerd shims that watch them, and containerd.
  await stop('kubelet');
  const pods = podProcesses();
  if (pods.length > 0) progress(`stopping ${pods.length} container processes`);
  await Promise.all(pods.map((pid) => stopPid(pid, 0)));
  const shims = pidsRunning([bin.containerd.path('containerd-shim-runc-v2')]);
  await Promise.all(shims.map((pid) => stopPid(pid, 1_000)));
  await stop('containerd');
  for (const name of ['kube-proxy', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) {
    await stop(name);
  }

  progress('removing network rules, mounts, interfaces and cgroups');
  await removeClusterChains();
  if (existsSync(paths.run)) await unmountUnder(paths.run);
  await removeLinks();
  const leftCgroups = removePodCgroups();
  await restoreMachine(paths.machineBefore);
  await rm(paths.run, { recursive: true, force: true });
  if (leftCgroups.length > 0) progress(`warning: cgroups still in use: ${leftCgroups.join(', ')}`);
  progress('cluster down');
}

export interface ComponentStatus {
  name: string;
  pid?: number;
  residentMiB?: number;
}

export interface ClusterStatus {
  /** `up`: every daemon runs and the node is Ready; `down`: no daemon runs. */
  state: 'up' | 'down' | 'partly up';
  components: ComponentStatus[];
  nodeReady: boolean;
  shims: { count: number; residentMiB: number };
  podProcesses: { count: number; residentMiB: number };
  residentMiB: number;
  /** How to reach the cluster, when it is up. */
  access?: ClusterAccess;
}

export async function status(): Promise<ClusterStatus> {
  const paths = statePaths();
  const bin = builtClusterBinaries();
  const pki = pkiPaths(paths.pki);
  const components: ComponentStatus[] = daemons(bin, paths, pki).map((d) => {
    const pid = runningPid(dirs(paths), d);
    return pid === undefined ? { name: d.name } : { name: d.name, pid, residentMiB: residentMiB(pid) };
  });
  const shims = pidsRunning([bin.containerd.path('containerd-shim-runc-v2')]).filter(isAlive);
  let ready = false;
  if (components.find((c) => c.name === 'kube-apiserver')?.pid !== undefined) {
    ready = (await nodeReady(pki, NODE_NAME).catch(() => undefined))?.status === 'True';
  }
  const memory = (pids: number[]) => pids.reduce((sum, pid) => sum + residentMiB(pid), 0);
  const containers = podProcesses();
  const daemonPids = components.flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
  const running = daemonPids.length;
  const state = running === components.length && ready ? 'up' : running === 0 ? 'down' : 'partly up';
  return {
    state,
    components,
    nodeReady: ready,
    shims: { count: shims.length, residentMiB: memory(shims) },
    podProcesses: { count: containers.length, residentMiB: memory(containers) },
    residentMiB: memory([...daemonPids, ...shims, ...containers]),
    ...(state === 'up' ? { access: { kubeconfig: paths.kubeconfig, binDir: bin.kubernetes.dir } } : {}),
  };
}

/** `npm run cluster -- status` for a person: a line per component, memory, the node, the state. */
export function formatStatus(status: ClusterStatus): string {
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  const lines = status.components.map(
    (c) =>
      `${c.name.padEnd(24)} ${c.pid !== undefined ? `running (pid ${c.pid}, ${mib(c.residentMiB ?? 0)})` : 'stopped'}`,
  );
  lines.push(`${'containerd shims'.padEnd(24)} ${status.shims.count} (${mib(status.shims.residentMiB)})`);
  lines.push(
    `${'pod processes'.padEnd(24)} ${status.podProcesses.count} (${mib(status.podProcesses.residentMiB)})`,
  );
  lines.push(`${'memory in all'.padEnd(24)} ${mib(status.residentMiB)} resident`);
  lines.push(`${`node ${NODE_NAME}`.padEnd(24)} ${status.nodeReady ? 'Ready' : 'not ready'}`);
  lines.push(`cluster: ${status.state}${status.access ? ` (KUBECONFIG=${status.access.kubeconfig})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `allow-registry 127.0.0.1:PORT`: pulls from that loopback registry work until `down`. */
export async function allowRegistry(host: string): Promise<void> {
  const paths = statePaths();
  if (!existsSync(paths.run)) throw new Error('the cluster is not up: run npm run cluster -- up first');
  await allowLoopbackRegistry(paths, host);
  progress(`pulls from ${host} are allowed until down`);
}

export async function loadImage(images: readonly string[]): Promise<void> {
  const paths = statePaths();
  const bin = builtClusterBinaries();
  const daemon = containerd(bin, paths);
  if (runningPid(dirs(paths), daemon) === undefined) {
    throw new Error('the cluster is not running: start it with `npm run cluster -- up`');
  }
  await loadImages(bin, paths.containerdSocket, images, path.join(paths.run, 'images'));
}
