import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CNI_BIN_DIR, CNI_PLUGINS, RUNC } from './runtime.js';

/**
 * What the machine must have before `up`, each with the package that brings it. `.ci/run` installs
 * them; on another machine the error says what to install.
 */

interface Requirement {
  what: string;
  ok: () => Promise<boolean>;
  fix: string;
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    try {
      await access(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

const command = (name: string, pkg: string): Requirement => ({
  what: name,
  ok: () => onPath(name),
  fix: `apt-get install ${pkg}`,
});

export const BUILD_REQUIREMENTS: readonly Requirement[] = [
  {
    what: 'go',
    ok: () => onPath('go'),
    fix: 'install Go 1.26 or newer (the Kubernetes 1.35 and etcd 3.6 modules need it)',
  },
  command('gcc', 'gcc libc6-dev'),
  {
    what: 'static libc (libc.a)',
    ok: async () =>
      existsSync('/usr/lib/x86_64-linux-gnu/libc.a') || existsSync('/usr/lib/aarch64-linux-gnu/libc.a'),
    fix: 'apt-get install libc6-dev',
  },
];

export const RUN_REQUIREMENTS: readonly Requirement[] = [
  {
    what: 'root',
    ok: async () => process.getuid?.() === 0,
    fix: 'run as root (the kubelet, containerd and the network rules need it), e.g. with sudo',
  },
  command('openssl', 'openssl'),
  command('ip', 'iproute2'),
  command('iptables', 'iptables'),
  command('iptables-save', 'iptables'),
  command('iptables-restore', 'iptables'),
  command('umount', 'mount'),
  { what: `runc (${RUNC})`, ok: async () => existsSync(RUNC), fix: 'apt-get install runc' },
  ...CNI_PLUGINS.map((p) => ({
    what: `CNI plugin ${p} (${CNI_BIN_DIR})`,
    ok: async () => existsSync(path.join(CNI_BIN_DIR, p)),
    fix: 'apt-get install containernetworking-plugins',
  })),
  {
    what: 'bridge netfilter (net.bridge.bridge-nf-call-iptables)',
    ok: async () => existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables'),
    fix: 'modprobe br_netfilter (a kernel with CONFIG_BRIDGE_NETFILTER)',
  },
  {
    what: 'a running Docker engine (the images are built with it and loaded from it)',
    ok: async () =>
      (await execa('docker', ['info', '--format', '{{.ID}}'], { reject: false })).exitCode === 0,
    fix: 'apt-get install docker.io, and start dockerd',
  },
];

export async function checkRequirements(requirements: readonly Requirement[]): Promise<void> {
  const missing: string[] = [];
  for (const r of requirements) if (!(await r.ok())) missing.push(`  - ${r.what}: ${r.fix}`);
  if (missing.length > 0) {
    throw new Error(`the local cluster needs:\n${missing.join('\n')}`);
  }
}
