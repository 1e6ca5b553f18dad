import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StatePaths } from './layout.js';
import { NETWORK } from './layout.js';
import { PAUSE_IMAGE } from './images.js';
import { writeIfChanged } from './files.js';

/**
 * The container runtime: containerd with its CRI plugin, Debian's runc and CNI plugins. Everything
 * containerd keeps (content, snapshots, sockets, network namespaces, runc state) lives under the
 * cluster's state folder, so `down` can find and remove it; it shares nothing with Docker's containerd.
 */

export const RUNC = '/usr/sbin/runc';
export const CNI_BIN_DIR = '/usr/lib/cni';
export const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'] as const;
export const CNI_NETWORK = 'incidents-pods';

const toml = (value: string | string[]) =>
  Array.isArray(value) ? `[${value.map((v) => `'${v}'`).join(', ')}]` : `'${value}'`;

const CAP_SYS_RESOURCE = 24;

/**
 * Whether this process may lower an oom_score_adj. Without CAP_SYS_RESOURCE (a sandboxed machine
 * or a rootless setup), runc cannot give pause containers the kubelet's -998 and fails with
 * "failed to update /proc/self/oom_score_adj: Permission denied" ("can't get final child's PID from
 * pipe: EOF" in the kubelet's events); containerd then has to keep scores at or above its own.
 */
export function mayLowerOomScore(status = readFileSync('/proc/self/status', 'utf8')): boolean {
  const effective = /^CapEff:\s+([0-9a-f]+)$/m.exec(status)?.[1];
  return effective !== undefined && (BigInt(`0x${effective}`) >> BigInt(CAP_SYS_RESOURCE)) % 2n === 1n;
}

export function containerdConfig(paths: StatePaths): string {
  return `# Written by \`npm run cluster -- up\` (devtools/cluster/runtime.ts).
version = 3
root = ${toml(paths.containerdRoot)}
state = ${toml(paths.containerdState)}
# Plugins that would reach outside the state folder (/opt/containerd, the NRI socket) or that are
# not used here (snapshotters other than overlayfs).
disabled_plugins = ${toml([
    'io.containerd.internal.v1.opt',
    'io.containerd.nri.v1.nri',
    'io.containerd.snapshotter.v1.blockfile',
    'io.containerd.snapshotter.v1.erofs',
    'io.containerd.differ.v1.erofs',
  ])}

[grpc]
  address = ${toml(paths.containerdSocket)}

[ttrpc]
  address = ${toml(`${paths.containerdSocket}.ttrpc`)}

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = ${toml(PAUSE_IMAGE)}
  [plugins.'io.containerd.cri.v1.images'.registry]
    # Every registry resolves to a closed loopback port: an image that was not loaded fails at once,
    # and no pull ever leaves the machine.
    config_path = ${toml(paths.registryHosts)}

[plugins.'io.containerd.cri.v1.runtime']
  enable_selinux = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = ${!mayLowerOomScore()}
  cdi_spec_dirs = ${toml([path.join(paths.run, 'cdi')])}
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = ${toml(RUNC)}
        Root = ${toml(paths.runcRoot)}
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ${toml([CNI_BIN_DIR])}
    conf_dir = ${toml(paths.cniConfDir)}

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = '127.0.0.1'
  stream_server_port = '0'
`;
}

/** Registry host configuration that sends every pull to a closed port on loopback. */
export const REGISTRY_HOSTS = `# Written by the incidents cluster: no registry is reachable from here, and none may be tried.
server = "http://127.0.0.1:9"

[host."http://127.0.0.1:9"]
  capabilities = ["pull", "resolve"]
`;

/**
 * The pod network: a bridge with the gateway address, host-local addresses from the node's share
 * of the pod range, no masquerading (pods are never NATed to the outside), hairpin so that a pod
 * can reach itself through its Service.
 */
export function cniConfig(paths: StatePaths): object {
  return {
    cniVersion: '1.0.0',
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: NETWORK.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: paths.cniIpam,
          ranges: [[{ subnet: NETWORK.nodePodSubnet, gateway: NETWORK.podGateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/**
 * Lets the cluster pull from one registry on loopback (`127.0.0.1:PORT`, the tests' stand-in for
 * GHCR) over plain HTTP, as a registry's own hosts.toml, which containerd reads at every pull and
 * prefers to `_default`. Only a loopback address is accepted: every other pull stays refused.
 */
export async function allowLoopbackRegistry(paths: StatePaths, host: string): Promise<void> {
  if (!/^127\.0\.0\.1:\d{1,5}$/.test(host)) {
    throw new Error(`only a registry on loopback may be allowed (127.0.0.1:PORT), not '${host}'`);
  }
  await mkdir(path.join(paths.registryHosts, host), { recursive: true });
  await writeIfChanged(
    path.join(paths.registryHosts, host, 'hosts.toml'),
    `# Written by \`npm run cluster -- allow-registry\`: a registry on this machine's loopback.
server = "http://${host}"

[host."http://${host}"]
  capabilities = ["pull", "resolve"]
`,
  );
}

export async function writeRuntimeConfig(paths: StatePaths): Promise<void> {
  await mkdir(path.dirname(paths.containerdConfig), { recursive: true });
  await writeIfChanged(paths.containerdConfig, containerdConfig(paths));
  await mkdir(path.join(paths.registryHosts, '_default'), { recursive: true });
  await writeIfChanged(path.join(paths.registryHosts, '_default', 'hosts.toml'), REGISTRY_HOSTS);
  await mkdir(paths.cniConfDir, { recursive: true });
  await writeIfChanged(
    path.join(paths.cniConfDir, '10-incidents.conflist'),
    `${JSON.stringify(cniConfig(paths), null, 2)}\n`,
  );
}
