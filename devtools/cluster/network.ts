import { execa } from 'execa';
import { CHAIN_PREFIX, NETWORK } from './layout.js';
import { progress } from './progress.js';

/**
 * The network rules that keep every packet of the cluster on this machine:
 *  - the Service range is routed to the cluster's own dummy interface, so a packet for a Service
 *    address that kube-proxy has not rewritten (yet) is dropped here instead of taking the default route;
 *  - pods are never masqueraded to the outside (the CNI bridge runs with `ipMasq: false`), and a
 *    forwarded packet from the pod range to anything but the pod or Service range is dropped;
 *  - the API server and kubelet ports answer loopback and pods only.
 * `up` adds them, `down` removes them together with the chains kube-proxy and the kubelet add.
 */

const FORWARD_CHAIN = `${CHAIN_PREFIX}FORWARD`;
const INPUT_CHAIN = `${CHAIN_PREFIX}INPUT`;
/** Chains the cluster owns: ours, kube-proxy's and the kubelet's (KUBE-*), the CNI plugins' (CNI-*). */
export const CLUSTER_CHAIN_PREFIXES = [CHAIN_PREFIX, 'KUBE-', 'CNI-'] as const;

async function run(command: string, args: string[], allowFailure = false) {
  const result = await execa(command, args, { reject: false, all: true });
  if ((result as { code?: string }).code === 'ENOENT') {
    const pkg = command.startsWith('ip') && command !== 'ip' ? 'iptables' : 'iproute2';
    throw new Error(`${command} is not installed: apt-get install ${pkg}`);
  }
  if (result.exitCode !== 0 && !allowFailure) {
    throw new Error(`${command} ${args.join(' ')} failed: ${String(result.all).trim()}`);
  }
  return result;
}

/**
 * Which interface type carries the node address and the Service route. A `dummy` interface is the
 * natural choice; a kernel built without CONFIG_DUMMY ("Error: Unknown device type.") still has `ifb`,
 * which likewise drops every packet routed to it (it forwards only what tc redirects into it).
 */
export async function ensureNodeInterface(): Promise<'dummy' | 'ifb' | 'existing'> {
  const name = NETWORK.nodeInterface;
  let kind: 'dummy' | 'ifb' | 'existing' = 'existing';
  if ((await run('ip', ['link', 'show', name], true)).exitCode !== 0) {
    const dummy = await run('ip', ['link', 'add', name, 'type', 'dummy'], true);
    if (dummy.exitCode === 0) kind = 'dummy';
    else {
      progress(
        `no dummy interfaces in this kernel (${String(dummy.all).trim()}); using an ifb interface, which drops what is routed to it`,
      );
      await run('ip', ['link', 'add', name, 'type', 'ifb']);
      kind = 'ifb';
    }
  }
  await run('ip', ['link', 'set', name, 'up']);
  await run('ip', ['address', 'replace', `${NETWORK.nodeIp}/32`, 'dev', name]);
  await run('ip', ['route', 'replace', NETWORK.serviceCidr, 'dev', name]);
  return kind;
}

function forwardRules(): string[][] {
  const comment = (text: string) => ['-m', 'comment', '--comment', text];
  return [
    [
      '-s',
      NETWORK.podCidr,
      '-d',
      NETWORK.podCidr,
      ...comment('incidents cluster: pod to pod'),
      '-j',
      'ACCEPT',
    ],
    [
      '-s',
      NETWORK.podCidr,
      '-d',
      NETWORK.serviceCidr,
      ...comment('incidents cluster: pod to Service'),
      '-j',
      'ACCEPT',
    ],
    [
      '-s',
      NETWORK.podCidr,
      ...comment('incidents cluster: pods reach nothing outside the cluster'),
      '-j',
      'DROP',
    ],
  ];
}

function inputRules(): string[][] {
  const ports = ['-p', 'tcp', '-m', 'multiport', '--dports', `${NETWORK.apiServerPort},10250`];
  const comment = (text: string) => ['-m', 'comment', '--comment', text];
  return [
    [
      ...ports,
      '-i',
      'lo',
      ...comment('incidents cluster: API server and kubelet from loopback'),
      '-j',
      'RETURN',
    ],
    [
      ...ports,
      '-s',
      NETWORK.podCidr,
      ...comment('incidents cluster: API server and kubelet from pods'),
      '-j',
      'RETURN',
    ],
    [...ports, ...comment('incidents cluster: nobody else'), '-j', 'DROP'],
  ];
}

async function ensureChain(chain: string, rules: string[][], from: 'FORWARD' | 'INPUT') {
  if ((await run('iptables', ['-t', 'filter', '-n', '-L', chain], true)).exitCode !== 0) {
    await run('iptables', ['-t', 'filter', '-N', chain]);
  }
  await run('iptables', ['-t', 'filter', '-F', chain]);
  for (const rule of rules) await run('iptables', ['-t', 'filter', '-A', chain, ...rule]);
  await ensureFirstJump(from, chain);
}

/** Our jump must be the first rule of the built-in chain, ahead of kube-proxy's and Docker's. */
async function ensureFirstJump(from: string, chain: string) {
  const listing = (await run('iptables', ['-t', 'filter', '-S', from])).stdout.split('\n');
  const first = listing.find((l) => l.startsWith(`-A ${from} `));
  if (first === `-A ${from} -j ${chain}`) return;
  while ((await run('iptables', ['-t', 'filter', '-D', from, '-j', chain], true)).exitCode === 0) {
    // remove every copy further down
  }
  await run('iptables', ['-t', 'filter', '-I', from, '1', '-j', chain]);
}

export async function ensureFilterRules(): Promise<void> {
  await ensureChain(FORWARD_CHAIN, forwardRules(), 'FORWARD');
  await ensureChain(INPUT_CHAIN, inputRules(), 'INPUT');
}

/** After kube-proxy has prepended its own jumps, put ours back in front. */
export async function reassertFilterOrder(): Promise<void> {
  await ensureFirstJump('FORWARD', FORWARD_CHAIN);
  await ensureFirstJump('INPUT', INPUT_CHAIN);
}

/**
 * Removes every cluster chain and every rule that jumps to one, in all tables, for IPv4 and IPv6,
 * with one `iptables-restore --noflush` per family: rules are deleted by their exact text as
 * `iptables-save` prints it, then the chains are flushed and deleted. Other rules (Docker's) stay.
 */
export async function removeClusterChains(): Promise<void> {
  for (const family of ['iptables', 'ip6tables'] as const) {
    const saved = await run(`${family}-save`, [], true);
    if (saved.exitCode !== 0) continue;
    const script = removalScript(String(saved.stdout));
    if (script) {
      const result = await execa(`${family}-restore`, ['--noflush'], {
        input: script,
        reject: false,
        all: true,
      });
      if (result.exitCode !== 0)
        throw new Error(`${family}-restore failed: ${String(result.all).trim()}\n${script}`);
    }
  }
}

export function isClusterChain(chain: string): boolean {
  return CLUSTER_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}

/** The `iptables-restore --noflush` input that removes the cluster's chains from an `iptables-save` dump. */
export function removalScript(dump: string): string {
  const out: string[] = [];
  let table = '';
  let chains: string[] = [];
  let deletions: string[] = [];
  const flushTable = () => {
    if (table && (chains.length > 0 || deletions.length > 0)) {
      out.push(
        `*${table}`,
        ...deletions,
        ...chains.map((c) => `-F ${c}`),
        ...chains.map((c) => `-X ${c}`),
        'COMMIT',
      );
    }
  };
  for (const line of dump.split('\n')) {
    if (line.startsWith('*')) {
      flushTable();
      table = line.slice(1).trim();
      chains = [];
      deletions = [];
    } else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      if (isClusterChain(chain)) chains.push(chain);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1];
      const target = /\s-[jg]\s+(\S+)/.exec(line)?.[1] ?? '';
      // Rules inside our chains go with the chain; rules elsewhere that jump into one are deleted.
      if (!isClusterChain(chain) && isClusterChain(target)) deletions.push(`-D ${line.slice(3)}`);
    }
  }
  flushTable();
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

export async function removeLinks(): Promise<void> {
  const members = await run('ip', ['-o', 'link', 'show', 'master', NETWORK.bridge], true);
  for (const line of String(members.stdout).split('\n')) {
    const name = /^\d+:\s+([^@:\s]+)/.exec(line)?.[1];
    if (name) await run('ip', ['link', 'delete', name], true);
  }
  for (const link of [NETWORK.bridge, NETWORK.nodeInterface]) {
    if ((await run('ip', ['link', 'show', link], true)).exitCode === 0)
      await run('ip', ['link', 'delete', link]);
  }
}
