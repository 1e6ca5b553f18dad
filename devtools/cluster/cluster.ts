import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  logHint?: string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
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

/** The lines `up` prints: what a shell evaluates to use the cluster. */
export function exportLines(paths: StatePaths, bin: Pick<ClusterBinaries, 'kubernetes'>): string {
  return `export KUBECONFIG=${paths.kubeconfig}\nexport PATH=${bin.kubernetes.dir}:$PATH\n`;
}

export async function up(): Promise<string> {
  const paths = statePaths();
  await checkRequirements([...BUILD_REQUIREMENTS, ...RUN_REQUIREMENTS]);
  const bin = await ensureClusterBinaries();
  await ensureClusterImages(bin);

  await mkdir(paths.run, { recursive: true });
  await mkdir(paths.logs, { recursive: true });
  await rememberMachine(paths.machineBefore);
  const started = Date.now();
  const pki = await ensureCertificates(paths.pki);
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

  progress('network: node interface, Service route, filter rules');
  await writeSysctl('net/ipv4/ip_forward', '1');
  await writeSysctl('net/bridge/bridge-nf-call-iptables', '1');
  await ensureNodeInterface();
  await ensureFilterRules();

  const all = daemons(bin, paths, pki);
  const ensure = async (name: string) => {
    const daemon = all.find((d) => d.name === name)!;
    const pid = runningPid(dirs(paths), daemon);
    if (pid !== undefined) return false;
    progress(`starting ${name}`);
    await startDaemon(dirs(paths), daemon);
    return true;
  };
  const alive = (name: string) => async () => {
    const daemon = all.find((d) => d.name === name)!;
    if (runningPid(dirs(paths), daemon) === undefined) {
      throw new Error(`${name} exited; see ${logOf(paths, name)}`);
    }
  };

  await ensure('etcd');
  await waitFor(
    'etcd',
    async () => {
      await alive('etcd')();
      const r = await fetch(`http://127.0.0.1:${NETWORK.etcdClientPort}/health`);
      return r.ok ? true : undefined;
    },
    30_000,
    logOf(paths, 'etcd'),
  );
  await ensure('kube-apiserver');
  await waitFor(
    'the API server to be ready',
    async () => {
      await alive('kube-apiserver')();
      return (await apiGet(pki, '/readyz')).status === 200 ? true : undefined;
    },
    60_000,
    logOf(paths, 'kube-apiserver'),
  );
  await ensure('kube-controller-manager');
  await ensure('kube-scheduler');

  await writeRuntimeConfig(paths);
  await ensure('containerd');
  await waitFor(
    'containerd',
    async () => {
      await alive('containerd')();
      return (await containerdImages(bin, paths.containerdSocket)) ?? undefined;
    },
    30_000,
    logOf(paths, 'containerd'),
  );
  const present = await containerdImages(bin, paths.containerdSocket);
  const clusterImages = await ensureClusterImages(bin);
  const missing = clusterImages.filter((image) => !present.includes(image));
  if (missing.length > 0)
    await loadImages(bin, paths.containerdSocket, missing, path.join(paths.run, 'images'));

  await writeNodeConfig(paths, pki);
  await ensure('kubelet');
  await ensure('kube-proxy');
  await waitFor(
    `node ${NODE_NAME} to be Ready`,
    async () => {
      await alive('kubelet')();
      await alive('kube-proxy')();
      return (await nodeReady(pki, NODE_NAME))?.status === 'True' ? true : undefined;
    },
    120_000,
    logOf(paths, 'kubelet'),
  );
  progress(`node ${NODE_NAME} Ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);

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
    logOf(paths, 'kube-proxy'),
  );
  await reassertFilterOrder();

  progress('cluster DNS: CoreDNS');
  const kubectl = bin.kubernetes.path('kubectl');
  const env = { KUBECONFIG: paths.kubeconfig };
  await execa(kubectl, ['apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: JSON.stringify(corednsManifests()),
    env,
  });
  await execa(kubectl, ['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s'], {
    env,
  });
  await reassertFilterOrder();
  progress(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return exportLines(paths, bin);
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
}

export async function status(): Promise<{ components: ComponentStatus[]; nodeReady: boolean; text: string }> {
  const paths = statePaths();
  const bin = builtClusterBinaries();
  const pki = pkiPaths(paths.pki);
  const components = daemons(bin, paths, pki).map((d) => ({ name: d.name, pid: runningPid(dirs(paths), d) }));
  const shims = pidsRunning([bin.containerd.path('containerd-shim-runc-v2')]).filter(isAlive);
  let ready = false;
  if (components.find((c) => c.name === 'kube-apiserver')?.pid !== undefined) {
    ready = (await nodeReady(pki, NODE_NAME).catch(() => undefined))?.status === 'True';
  }
  const memory = (pids: number[]) => pids.reduce((sum, pid) => sum + residentMiB(pid), 0);
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  const lines = components.map(
    (c) =>
      `${c.name.padEnd(24)} ${c.pid !== undefined ? `running (pid ${c.pid}, ${mib(residentMiB(c.pid))})` : 'stopped'}`,
  );
  const containers = podProcesses();
  lines.push(`${'containerd shims'.padEnd(24)} ${shims.length} (${mib(memory(shims))})`);
  lines.push(`${'pod processes'.padEnd(24)} ${containers.length} (${mib(memory(containers))})`);
  const daemonPids = components.flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
  lines.push(
    `${'memory in all'.padEnd(24)} ${mib(memory([...daemonPids, ...shims, ...containers]))} resident`,
  );
  lines.push(`${`node ${NODE_NAME}`.padEnd(24)} ${ready ? 'Ready' : 'not ready'}`);
  const running = components.filter((c) => c.pid !== undefined).length;
  const state = running === components.length && ready ? 'up' : running === 0 ? 'down' : 'partly up';
  lines.push(`cluster: ${state}${state === 'up' ? ` (KUBECONFIG=${paths.kubeconfig})` : ''}`);
  return { components, nodeReady: ready, text: `${lines.join('\n')}\n` };
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
