import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Pki } from './certificates.js';
import type { ClusterBinaries } from './components.js';
import { kubeconfigOf } from './control-plane.js';
import { CLUSTER_DOMAIN, NETWORK, NODE_NAME, type StatePaths } from './layout.js';
import type { Daemon } from './processes.js';
import { mayLowerOomScore } from './runtime.js';
import { writeIfChanged } from './files.js';

/** The node: containerd, the kubelet and kube-proxy. */

/** cgroup v2 only (unified) hosts have this file at the root of /sys/fs/cgroup. */
export const hostHasCgroupV2 = () => existsSync('/sys/fs/cgroup/cgroup.controllers');

export function containerd(bin: ClusterBinaries, paths: StatePaths): Daemon {
  return {
    name: 'containerd',
    binary: bin.containerd.path('containerd'),
    args: ['--config', paths.containerdConfig, '--log-level', 'warn'],
    // containerd starts `containerd-shim-runc-v2` from PATH: ours, next to it.
    env: { PATH: `${bin.containerd.dir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
  };
}

export function kubeletConfig(paths: StatePaths, pki: Pki): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: NETWORK.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: pki.cert('kubelet'),
    tlsPrivateKeyFile: pki.key('kubelet'),
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: pki.ca },
    },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    // Kubernetes 1.35 refuses cgroup v1 unless told otherwise; this machine may have nothing else.
    ...(hostHasCgroupV2() ? {} : { failCgroupV1: false }),
    failSwapOn: false,
    // Without CAP_SYS_RESOURCE the kubelet cannot lower its own score either (see runtime.ts).
    ...(mayLowerOomScore() ? {} : { oomScoreAdj: 0 }),
    clusterDNS: [NETWORK.dnsServiceIp],
    clusterDomain: CLUSTER_DOMAIN,
    // An empty file: pods get only the cluster DNS, and CoreDNS (dnsPolicy Default) no upstream.
    resolvConf: path.join(paths.config, 'resolv.conf'),
    podLogsDir: paths.podLogs,
    // Loaded images are all this cluster has; never collect them.
    imageGCHighThresholdPercent: 100,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
  };
}

export async function writeNodeConfig(paths: StatePaths, pki: Pki): Promise<void> {
  await mkdir(paths.config, { recursive: true });
  await writeIfChanged(path.join(paths.config, 'resolv.conf'), '');
  await writeIfChanged(path.join(paths.config, 'kubelet.yaml'), stringify(kubeletConfig(paths, pki)));
  await writeIfChanged(path.join(paths.config, 'kube-proxy.yaml'), stringify(kubeProxyConfig(paths)));
}

export function kubelet(bin: ClusterBinaries, paths: StatePaths): Daemon {
  return {
    name: 'kubelet',
    binary: bin.kubernetes.path('kubelet'),
    args: [
      `--config=${path.join(paths.config, 'kubelet.yaml')}`,
      `--kubeconfig=${kubeconfigOf(paths, 'kubelet')}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${NETWORK.nodeIp}`,
      '--v=1',
    ],
  };
}

export function kubeProxyConfig(paths: StatePaths): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: kubeconfigOf(paths, 'kube-proxy') },
    hostnameOverride: NODE_NAME,
    ...(mayLowerOomScore() ? {} : { oomScoreAdj: 0 }),
    clusterCIDR: NETWORK.podCidr,
    bindAddress: NETWORK.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    nodePortAddresses: [`${NETWORK.nodeIp}/32`],
    // Leave the host's conntrack limits and timeouts as they are (0 means "do not change").
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
    // No NodePorts on 127.0.0.1: that needs route_localnet, a host-wide sysctl.
    iptables: { localhostNodePorts: false, masqueradeAll: false },
  };
}

export function kubeProxy(bin: ClusterBinaries, paths: StatePaths): Daemon {
  return {
    name: 'kube-proxy',
    binary: bin.kubernetes.path('kube-proxy'),
    args: [`--config=${path.join(paths.config, 'kube-proxy.yaml')}`, '--v=1'],
  };
}
