import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execa } from 'execa';
import { builtClusterBinaries } from '../../cluster/components.js';
import { FIXED_PATHS, podProcesses, readSysctls } from '../../cluster/machine.js';
import { CNI_BIN_DIR, RUNC } from '../../cluster/runtime.js';

/**
 * What the machine looks like from outside the cluster: the processes of cluster executables, mounts,
 * network interfaces, firewall rules (IPv4 and IPv6, without packet counters), the kernel settings
 * the cluster touches, and the fixed paths its components may create. `down` must bring every part
 * back. Other work shares this machine (Docker builds and containers of other tests), so Docker's own
 * interfaces, mounts and rules, and processes of unrelated executables, are left out.
 */
export interface MachineSnapshot {
  clusterProcesses: string[];
  mounts: string[];
  links: string[];
  iptables: string[];
  ip6tables: string[];
  sysctls: Record<string, string>;
  paths: string[];
}

function clusterProcesses(): string[] {
  const bin = builtClusterBinaries();
  const dirs = [bin.kubernetes.dir, bin.etcd.dir, bin.containerd.dir, bin.coredns.dir, CNI_BIN_DIR].map(
    (d) => `${d}/`,
  );
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = readlinkSync(`/proc/${entry}/exe`);
      if (exe === RUNC || dirs.some((d) => exe.startsWith(d))) found.push(`${entry} ${exe}`);
    } catch {
      // kernel thread, or gone
    }
  }
  return [...found, ...podProcesses().map((pid) => `${pid} in a pod cgroup`)].sort();
}

const DOCKER = /docker|DOCKER|\bbr-[0-9a-f]{12}\b/;

/**
 * The firewall as `iptables-save` prints it, reduced to what filters or rewrites a packet: Docker's
 * lines and packet counters left out, and a table that holds nothing but its built-in chains at
 * policy ACCEPT left out whole. With the nft backend a table comes into being the first time any
 * program lists it (the kubelet's canary chains touch `mangle`), and deleting its chains leaves the
 * empty table behind; such a table lets every packet through, exactly as no table does, so it is
 * no change. A rule, a chain of its own or a changed policy in it still is.
 */
export function firewallState(save: string): string[] {
  const tables: { name: string; lines: string[] }[] = [];
  for (const line of save.split('\n')) {
    if (line === '' || line.startsWith('#') || line === 'COMMIT' || DOCKER.test(line)) continue;
    if (line.startsWith('*')) tables.push({ name: line.slice(1), lines: [] });
    else tables.at(-1)?.lines.push(line.replace(/\s*\[\d+:\d+\]$/, '').trim());
  }
  const passesEverything = (lines: string[]) => lines.every((l) => /^:\S+ ACCEPT$/.test(l));
  return tables
    .filter((table) => !passesEverything(table.lines))
    .flatMap((table) => table.lines.map((l) => `${table.name} ${l}`))
    .sort();
}

async function rules(command: string): Promise<string[]> {
  return firewallState((await execa(command, [])).stdout);
}

export async function snapshotMachine(): Promise<MachineSnapshot> {
  const { stdout: links } = await execa('ip', ['-o', 'link', 'show']);
  return {
    clusterProcesses: clusterProcesses(),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => m !== undefined && !/^\/(var\/)?(lib|run)\/docker\//.test(m))
      .sort(),
    links: links
      .split('\n')
      .filter((l) => !/master (docker0|br-[0-9a-f]{12})\b/.test(l))
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
      .filter((l) => l !== '')
      .sort(),
    iptables: await rules('iptables-save'),
    ip6tables: await rules('ip6tables-save'),
    sysctls: readSysctls(),
    paths: FIXED_PATHS.filter((p) => existsSync(p)),
  };
}
