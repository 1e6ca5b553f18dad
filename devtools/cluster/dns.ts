import { CLUSTER_DOMAIN, NETWORK } from './layout.js';
import { COREDNS } from './versions.js';

/**
 * Cluster DNS: CoreDNS answering `cluster.local` only. The command is built with just the plugins
 * the Corefile below uses, so `forward` is not even in the binary: nothing can be sent to a resolver
 * outside the cluster, and every other name is refused.
 */

export const COREDNS_PLUGINS = ['errors', 'health', 'ready', 'kubernetes', 'cache', 'loadbalance', 'reload'];
export const COREDNS_IMAGE = `localhost/incidents/coredns:${COREDNS.version}`;
/** CoreDNS listens on an unprivileged port as a non-root user; the Service maps port 53 onto it. */
const DNS_PORT = 1053;

/** The main package of our CoreDNS build: upstream's `coremain` with a short plugin list. */
export function corednsMain(plugins: readonly string[]): string {
  return [
    '// The CoreDNS command of the incidents-pipeline test cluster: upstream coremain with only the',
    '// plugins its Corefile uses (written by devtools/cluster/dns.ts).',
    'package main',
    '',
    'import (',
    '\t"github.com/coredns/coredns/coremain"',
    ...plugins.map((p) => `\t_ "${COREDNS.module}/plugin/${p}"`),
    ')',
    '',
    'func main() { coremain.Run() }',
    '',
  ].join('\n');
}

export const COREFILE = `${CLUSTER_DOMAIN}:${DNS_PORT} {
    errors
    health :8080
    ready :8181
    kubernetes ${CLUSTER_DOMAIN}
    cache 30
    loadbalance
    reload
}
`;

const labels = { 'k8s-app': 'kube-dns' };

/** ServiceAccount, RBAC, Corefile, Deployment and the Service at the cluster DNS address. */
export function corednsManifests(): object {
  const meta = (name: string) => ({ name, namespace: 'kube-system', labels });
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('coredns') },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'system:coredns', labels },
        rules: [
          {
            apiGroups: [''],
            resources: ['endpoints', 'services', 'pods', 'namespaces'],
            verbs: ['list', 'watch'],
          },
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'system:coredns', labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
        subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('coredns'), data: { Corefile: COREFILE } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta('coredns'),
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: 'coredns',
              priorityClassName: 'system-cluster-critical',
              // The node's resolv.conf is an empty file (see node.ts): CoreDNS has no upstream to ask.
              dnsPolicy: 'Default',
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'coredns',
                  image: COREDNS_IMAGE,
                  imagePullPolicy: 'Never',
                  args: ['-conf', '/etc/coredns/Corefile'],
                  ports: [
                    { name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' },
                    { name: 'dns-tcp', containerPort: DNS_PORT, protocol: 'TCP' },
                  ],
                  readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                  livenessProbe: {
                    httpGet: { path: '/health', port: 8080 },
                    periodSeconds: 10,
                    failureThreshold: 5,
                  },
                  resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { ...meta('kube-dns'), labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' } },
        spec: {
          selector: labels,
          clusterIP: NETWORK.dnsServiceIp,
          ports: [
            { name: 'dns', port: 53, targetPort: DNS_PORT, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, targetPort: DNS_PORT, protocol: 'TCP' },
          ],
        },
      },
    ],
  };
}
