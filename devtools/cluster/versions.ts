/**
 * Every component of the local cluster, pinned in one place. Changing a version here is all it takes
 * to build and run another one: binaries live in a tool-cache folder named after the version.
 *
 * Kubernetes is the newest 1.35 patch the Go module proxy serves, the minor of the kind node image the
 * workflows pin (kind-config.yaml's kindest/node v1.35.0, the default of kind v0.31.0). Its staging
 * modules (k8s.io/api, k8s.io/client-go, …) are published as v0.<minor>.<patch>.
 */
export const KUBERNETES = {
  module: 'k8s.io/kubernetes',
  version: 'v1.35.4',
  stagingVersion: 'v0.35.4',
} as const;

/** etcd 3.6, the line Kubernetes 1.35 is tested with; in 3.6 the `etcd` main package is the server module's root. */
export const ETCD = { module: 'go.etcd.io/etcd/server/v3', version: 'v3.6.16' } as const;

/**
 * containerd 2.2, the line kind's 1.35 node images run: it speaks the CRI v1 API the 1.35 kubelet
 * needs (Debian's 1.6 is too old for it) and builds without cgo once btrfs is left out.
 */
export const CONTAINERD = { module: 'github.com/containerd/containerd/v2', version: 'v2.2.9' } as const;

/** CoreDNS, built with only the plugins the cluster's Corefile uses (see dns.ts). */
export const COREDNS = { module: 'github.com/coredns/coredns', version: 'v1.15.0' } as const;

/** The pause image's version, as in `build/pause/Makefile` of the Kubernetes module. */
export const PAUSE_VERSION = '3.10.1';
