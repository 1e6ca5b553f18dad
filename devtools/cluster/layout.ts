import os from 'node:os';
import path from 'node:path';
import { toolsCacheDir } from '@incidents-pipeline/actions-lib/tools';

/**
 * Where the cluster keeps things, and the addresses it uses. Nothing lives inside the clone:
 * binaries go to the tool cache shared with the tool bootstrap, cluster state to a folder of its own.
 */

/** The tool cache the tool bootstrap and the locator use (actions-lib's `toolsCacheDir`); one folder per `<name>-<version>`. */
export function toolsCache(): string {
  return toolsCacheDir();
}

/** `$INCIDENTS_CLUSTER_STATE`, default `~/.cache/incidents-pipeline/cluster`. */
export function stateRoot(): string {
  return process.env.INCIDENTS_CLUSTER_STATE ?? path.join(os.homedir(), '.cache/incidents-pipeline/cluster');
}

/** Every path of one cluster's state. `run/` is the cluster itself and goes away with `down`. */
export function statePaths(root = stateRoot()) {
  const run = path.join(root, 'run');
  return {
    root,
    run,
    /** Component logs; kept after `down` so a failure can still be read, emptied by the next `up`. */
    logs: path.join(root, 'logs'),
    /** What the machine looked like before the first `up` (sysctls, folders), restored by `down`. */
    machineBefore: path.join(root, 'machine-before.json'),
    kubeconfig: path.join(run, 'kubeconfig'),
    pids: path.join(run, 'pids'),
    pki: path.join(run, 'pki'),
    etcdData: path.join(run, 'etcd'),
    containerdRoot: path.join(run, 'containerd/root'),
    containerdState: path.join(run, 'containerd/state'),
    containerdSocket: path.join(run, 'containerd/containerd.sock'),
    containerdConfig: path.join(run, 'containerd/config.toml'),
    registryHosts: path.join(run, 'containerd/certs.d'),
    runcRoot: path.join(run, 'containerd/runc'),
    cniConfDir: path.join(run, 'cni/net.d'),
    cniIpam: path.join(run, 'cni/ipam'),
    kubeletRoot: path.join(run, 'kubelet'),
    podLogs: path.join(run, 'pod-logs'),
    config: path.join(run, 'config'),
  };
}

export type StatePaths = ReturnType<typeof statePaths>;

/**
 * Private ranges that collide neither with Docker's 172.17.0.0/16 nor with this machine's own
 * networks; the same pod and Service ranges kind uses by default.
 */
export const NETWORK = {
  podCidr: '10.244.0.0/16',
  /** The single node's share of the pod range, handed out by the CNI host-local IPAM. */
  nodePodSubnet: '10.244.0.0/24',
  podGateway: '10.244.0.1',
  serviceCidr: '10.96.0.0/16',
  /** The `kubernetes` Service. */
  apiServiceIp: '10.96.0.1',
  dnsServiceIp: '10.96.0.10',
  /**
   * The node's address, on the cluster's own interface. Pods reach the API server and the kubelet
   * here (a local address of this host, so the packets never leave it); tests use 127.0.0.1.
   */
  nodeIp: '10.250.0.1',
  /** Carries the node address and the Service route (a dummy interface, see network.ts). */
  nodeInterface: 'incidents0',
  /** The pods' bridge, created by the CNI bridge plugin. */
  bridge: 'incidents-br0',
  apiServerPort: 6443,
  etcdClientPort: 2379,
  etcdPeerPort: 2380,
} as const;

export const NODE_NAME = 'incidents-node';
export const CLUSTER_DOMAIN = 'cluster.local';
/** Prefix of every iptables chain this cluster adds itself (kube-proxy and the kubelet add KUBE-*). */
export const CHAIN_PREFIX = 'INCIDENTS-';
