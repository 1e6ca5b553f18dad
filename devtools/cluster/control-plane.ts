import path from 'node:path';
import type { Pki } from './certificates.js';
import type { ClusterBinaries } from './components.js';
import { CLUSTER_DOMAIN, NETWORK, type StatePaths } from './layout.js';
import type { Daemon } from './processes.js';

/**
 * etcd, kube-apiserver, kube-controller-manager and kube-scheduler, with the flags upstream's
 * hack/local-up-cluster.sh uses for a single machine. Everything listens on loopback, except the API
 * server, which pods reach on the node address (guarded by the INPUT rules in network.ts).
 */

export const kubeconfigOf = (paths: StatePaths, component: string) =>
  path.join(paths.config, `${component}.kubeconfig`);

export function etcd(bin: ClusterBinaries, paths: StatePaths): Daemon {
  const client = `http://127.0.0.1:${NETWORK.etcdClientPort}`;
  const peer = `http://127.0.0.1:${NETWORK.etcdPeerPort}`;
  return {
    name: 'etcd',
    binary: bin.etcd.path('etcd'),
    args: [
      '--name=incidents',
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=incidents=${peer}`,
      '--listen-metrics-urls=',
      // A throw-away test cluster: losing its data on a power cut is fine, waiting for fsync is not.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
  };
}

export function apiServer(bin: ClusterBinaries, paths: StatePaths, pki: Pki): Daemon {
  return {
    name: 'kube-apiserver',
    binary: bin.kubernetes.path('kube-apiserver'),
    args: [
      `--etcd-servers=http://127.0.0.1:${NETWORK.etcdClientPort}`,
      // 0.0.0.0 so that both tests (127.0.0.1) and pods (node address) reach it; network.ts lets
      // only loopback and the pod range in.
      '--bind-address=0.0.0.0',
      `--secure-port=${NETWORK.apiServerPort}`,
      `--advertise-address=${NETWORK.nodeIp}`,
      `--tls-cert-file=${pki.cert('apiserver')}`,
      `--tls-private-key-file=${pki.key('apiserver')}`,
      `--client-ca-file=${pki.ca}`,
      `--kubelet-client-certificate=${pki.cert('apiserver-kubelet-client')}`,
      `--kubelet-client-key=${pki.key('apiserver-kubelet-client')}`,
      `--kubelet-certificate-authority=${pki.ca}`,
      '--kubelet-preferred-address-types=InternalIP',
      `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
      `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
    ],
  };
}

/**
 * What the controller manager and the scheduler share: one kubeconfig for the API and for checking
 * callers of their own endpoints, which listen on loopback only; one instance, so no leader election.
 */
function controllerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    '--leader-elect=false',
  ];
}

export function controllerManager(bin: ClusterBinaries, paths: StatePaths, pki: Pki): Daemon {
  const kubeconfig = kubeconfigOf(paths, 'controller-manager');
  return {
    name: 'kube-controller-manager',
    binary: bin.kubernetes.path('kube-controller-manager'),
    args: [
      ...controllerArgs(kubeconfig),
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.ca}`,
      `--cluster-signing-cert-file=${pki.ca}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${NETWORK.serviceCidr}`,
      `--cluster-cidr=${NETWORK.podCidr}`,
      '--profiling=false',
      '--v=1',
    ],
  };
}

export function scheduler(bin: ClusterBinaries, paths: StatePaths): Daemon {
  const kubeconfig = kubeconfigOf(paths, 'scheduler');
  return {
    name: 'kube-scheduler',
    binary: bin.kubernetes.path('kube-scheduler'),
    args: [...controllerArgs(kubeconfig), '--profiling=false', '--v=1'],
  };
}
