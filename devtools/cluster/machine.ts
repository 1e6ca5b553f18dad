import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/**
 * What the cluster changes on the machine outside its own folders, remembered before the first `up`
 * and put back by `down`: kernel settings that the kubelet and kube-proxy adjust, and the few fixed
 * paths they create. Also the clean-up of what running pods leave: their processes (found through
 * the kubelet's cgroups), mounts and cgroups.
 */

/** Kernel settings the cluster may change: ours, the kubelet's (KernelTunableModify) and kube-proxy's. */
export const SYSCTLS = [
  'net/ipv4/ip_forward',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/ipv4/conf/all/route_localnet',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_tcp_timeout_established',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
] as const;

/** Fixed paths the kubelet, containerd's shims or the CNI plugins create whatever their configuration says. */
export const FIXED_PATHS = [
  '/run/containerd',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/var/lib/containerd',
  '/etc/cni',
  '/opt/cni',
  '/opt/containerd',
  '/etc/kubernetes',
  '/run/nri',
  '/etc/cdi',
  '/run/cdi',
  '/run/kubernetes',
] as const;

export interface MachineState {
  sysctls: Record<string, string>;
  existingPaths: string[];
}

export function readSysctls(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of SYSCTLS) {
    const file = `/proc/sys/${key}`;
    if (existsSync(file)) values[key] = readFileSync(file, 'utf8').trim();
  }
  return values;
}

export function observeMachine(): MachineState {
  return { sysctls: readSysctls(), existingPaths: FIXED_PATHS.filter((p) => existsSync(p)) };
}

/** Records the machine once; a second `up` while the first cluster runs keeps the first record. */
export async function rememberMachine(file: string): Promise<MachineState> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as MachineState;
  const state = observeMachine();
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

export async function writeSysctl(key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key}`;
  if (readFileSync(file, 'utf8').trim() !== value) await writeFile(file, value);
}

export async function restoreMachine(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const before = JSON.parse(await readFile(file, 'utf8')) as MachineState;
  for (const [key, value] of Object.entries(before.sysctls)) {
    try {
      await writeSysctl(key, value);
    } catch {
      // a setting that vanished with its module needs no restoring
    }
  }
  for (const p of FIXED_PATHS) {
    if (!before.existingPaths.includes(p)) await rm(p, { recursive: true, force: true });
  }
  await rm(file, { force: true });
}

/** Mount points at or below `dir`, deepest and latest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
  return points.reverse();
}

export async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      const result = await execa('umount', [point], { reject: false });
      if (result.exitCode !== 0) await execa('umount', ['--lazy', point], { reject: false });
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`could not unmount: ${left.join(', ')}`);
}

/** The cgroup v1 hierarchies and the v2 tree mounted on this machine. */
function cgroupRoots(): string[] {
  const base = '/sys/fs/cgroup';
  if (existsSync(path.join(base, 'cgroup.controllers'))) return [base];
  return readdirSync(base)
    .map((d) => path.join(base, d))
    .filter((d) => {
      try {
        return statSync(d).isDirectory() && existsSync(path.join(d, 'cgroup.procs'));
      } catch {
        return false;
      }
    });
}

function cgroupTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => cgroupTree(path.join(dir, e.name)));
  return [...children, dir];
}

/** Processes inside the kubelet's pod cgroups: the pods' containers. */
export function podProcesses(): number[] {
  const pids = new Set<number>();
  for (const root of cgroupRoots()) {
    for (const group of cgroupTree(path.join(root, 'kubepods'))) {
      try {
        for (const line of readFileSync(path.join(group, 'cgroup.procs'), 'utf8').split('\n')) {
          if (line) pids.add(Number(line));
        }
      } catch {
        // removed meanwhile
      }
    }
  }
  return [...pids];
}

/** Removes the kubelet's `kubepods` cgroups, children first; they must be empty by now. */
export function removePodCgroups(): string[] {
  const left: string[] = [];
  for (const root of cgroupRoots()) {
    for (const group of cgroupTree(path.join(root, 'kubepods'))) {
      try {
        rmdirSync(group);
      } catch {
        left.push(group);
      }
    }
  }
  return left;
}
