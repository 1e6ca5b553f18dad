import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { BUILD_MODULE_PREFIX, ensureGoBuild, toolDir, type BuiltTool, type ModuleBuild } from './go-build.js';
import { COREDNS_PLUGINS, corednsMain } from './dns.js';
import { CONTAINERD, COREDNS, ETCD, KUBERNETES } from './versions.js';

/** How each component is built from its Go module (see go-build.ts for the mechanism). */

const kubernetesVersionVariables = async (): Promise<string[]> => {
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(KUBERNETES.version) ?? [];
  const settings = {
    gitVersion: KUBERNETES.version,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: await moduleTime(KUBERNETES.module, KUBERNETES.version),
  };
  // What upstream's hack/lib/version.sh sets, so every component reports its real version.
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(settings).map(([key, value]) => `${pkg}.${key}=${value}`),
  );
};

/** The module's publication time, as the proxy reports it: a reproducible build date. */
async function moduleTime(module: string, version: string): Promise<string> {
  const { stdout } = await execa('go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: '/',
    env: { GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  });
  const info = JSON.parse(stdout) as { Info: string };
  const time = (JSON.parse(await readFile(info.Info, 'utf8')) as { Time?: string }).Time;
  return time?.replace(/\.\d+Z$/, 'Z') ?? '1970-01-01T00:00:00Z';
}

export const KUBERNETES_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubectl',
] as const;

export async function kubernetesRecipe(): Promise<ModuleBuild> {
  return {
    name: 'kubernetes',
    module: KUBERNETES.module,
    version: KUBERNETES.version,
    binaries: Object.fromEntries(KUBERNETES_BINARIES.map((b) => [b, `${KUBERNETES.module}/cmd/${b}`])),
    // k8s.io/api, k8s.io/client-go, … live in staging/ upstream and are published as v0.<minor>.<patch>.
    replaceVersion: () => KUBERNETES.stagingVersion,
    linkerVariables: await kubernetesVersionVariables(),
  };
}

export const etcdRecipe: ModuleBuild = {
  name: 'etcd',
  module: ETCD.module,
  version: ETCD.version,
  binaries: { etcd: ETCD.module },
  // etcd's api, client and pkg modules are released with the same version as the server.
  replaceVersion: () => ETCD.version,
};

export const containerdRecipe: ModuleBuild = {
  name: 'containerd',
  module: CONTAINERD.module,
  version: CONTAINERD.version,
  binaries: {
    containerd: `${CONTAINERD.module}/cmd/containerd`,
    'containerd-shim-runc-v2': `${CONTAINERD.module}/cmd/containerd-shim-runc-v2`,
    ctr: `${CONTAINERD.module}/cmd/ctr`,
  },
  replaceVersion: () => CONTAINERD.version,
  // btrfs needs cgo; devmapper, zfs and tracing exporters are not used here and only cost build time.
  tags: ['no_btrfs', 'no_devmapper', 'no_zfs', 'no_tracing'],
  linkerVariables: [`${CONTAINERD.module}/version.Version=${CONTAINERD.version}`],
};

export const corednsRecipe: ModuleBuild = {
  name: 'coredns',
  module: COREDNS.module,
  version: COREDNS.version,
  binaries: { coredns: `${BUILD_MODULE_PREFIX}/coredns/cmd/coredns` },
  replaceVersion: () => COREDNS.version,
  sources: { 'cmd/coredns/main.go': corednsMain(COREDNS_PLUGINS) },
};

export interface ClusterBinaries {
  kubernetes: BuiltTool;
  etcd: BuiltTool;
  containerd: BuiltTool;
  coredns: BuiltTool;
}

/** Builds what is missing, one component after another (each `go build` already uses every core). */
export async function ensureClusterBinaries(): Promise<ClusterBinaries> {
  return {
    kubernetes: await ensureGoBuild(await kubernetesRecipe()),
    etcd: await ensureGoBuild(etcdRecipe),
    containerd: await ensureGoBuild(containerdRecipe),
    coredns: await ensureGoBuild(corednsRecipe),
  };
}

/** Where the binaries are (or would be), without building anything: for `down`, `status`, `load-image`. */
export function builtClusterBinaries(): ClusterBinaries {
  const at = (name: string, version: string): BuiltTool => {
    const dir = toolDir({ name, version });
    return { dir, path: (binary) => `${dir}/${binary}` };
  };
  return {
    kubernetes: at('kubernetes', KUBERNETES.version),
    etcd: at('etcd', ETCD.version),
    containerd: at('containerd', CONTAINERD.version),
    coredns: at('coredns', COREDNS.version),
  };
}
