import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { checkKubeconfig } from '@incidents-pipeline/actions-lib/kubeconfig';
import {
  HELM_SETUP_TIMEOUT_MS,
  HELM_TEST_TIMEOUT_MS,
  prepareHelm,
  renderChart,
  type Manifest,
} from './helm-chart.js';
import { SCENARIOS } from './scenarios.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

/**
 * The deployer's Role (docs/examples/deployer-rbac.yaml) must be exactly what a deploy of this chart
 * needs: every kind the chart renders (with every option on, the helm test hook included), plus what
 * Helm and the deploy need around them. A chart change that adds a kind, or a Role that grants more,
 * fails here, before a deploy is refused, or allowed too much, on a real cluster.
 */

const EXAMPLES = fileURLToPath(new URL('../../docs/examples/', import.meta.url));

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** Helm creates, reads, patches or replaces, and deletes what it renders; its wait watches it. */
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/**
 * An immutable object (the content-named ConfigMaps) is created, and deleted once a later revision no
 * longer renders it; a new content is a new object, so it is never replaced (`update`, a PUT, which
 * Helm 4 sends only for --force-replace). Helm 4 still server-side applies an unchanged one at every
 * upgrade, which is a patch: its labels follow the image tag.
 */
const IMMUTABLE = ['get', 'list', 'watch', 'create', 'patch', 'delete'];
/**
 * A hook (the helm test Pod) is created, watched and deleted, never changed; but Helm 4 creates it by
 * server-side apply, which is a patch (seen refused on the local cluster: `cannot patch resource
 * "pods"`, by the deployer of deliver.act.test.ts).
 */
const HOOK = ['get', 'list', 'watch', 'create', 'patch', 'delete'];
/** What Helm and the deploy need beside the rendered objects, and why. */
const AROUND_THE_CHART: Record<string, string[]> = {
  // Helm's release storage: one Secret per revision, superseded ones updated, old ones deleted.
  '/secrets': ['get', 'list', 'create', 'update', 'delete'],
  // helm test --logs, and the diagnostics of a failed rollout.
  '/pods/log': ['get'],
  '/events': ['get', 'list'],
  // Helm's wait follows a Deployment's rollout through its ReplicaSets; fail-fast reads them too.
  'apps/replicasets': ['get', 'list', 'watch'],
};

/** The resource name of a kind, as Kubernetes' RESTMapper guesses it (lowercase plural). */
function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** `group/resource` → verbs that a deploy of these manifests needs. */
function needs(manifests: readonly Manifest[]): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  const add = (key: string, verbs: readonly string[]) => {
    const set = needed.get(key) ?? new Set<string>();
    verbs.forEach((v) => set.add(v));
    needed.set(key, set);
  };
  for (const m of manifests) {
    const hook = (m.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/hook'];
    const immutable = (m as { immutable?: boolean }).immutable === true;
    add(`${groupOf(m.apiVersion)}/${resourceOf(m.kind)}`, hook ? HOOK : immutable ? IMMUTABLE : MANAGE);
  }
  for (const [key, verbs] of Object.entries(AROUND_THE_CHART)) add(key, verbs);
  return needed;
}

function grants(rules: readonly Rule[]): Map<string, Set<string>> {
  const granted = new Map<string, Set<string>>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? []) {
        const set = granted.get(`${group}/${resource}`) ?? new Set<string>();
        (rule.verbs ?? []).forEach((v) => set.add(v));
        granted.set(`${group}/${resource}`, set);
      }
  return granted;
}

const sorted = (map: Map<string, Set<string>>) =>
  Object.fromEntries([...map.entries()].sort().map(([k, v]) => [k, [...v].sort()]));

function examples(file: string): { kind: string; metadata: { name: string; namespace?: string } }[] {
  return parseAllDocuments(readFileSync(`${EXAMPLES}${file}`, 'utf8')).map((d) => d.toJS());
}

const rbac = examples('deployer-rbac.yaml') as unknown as {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}[];
const role = rbac.find((d) => d.kind === 'Role');

describe('the deployer Role of docs/examples/deployer-rbac.yaml', () => {
  let rendered: Manifest[] = [];
  beforeAll(async () => {
    rendered = [
      ...(await renderChart(SCENARIOS.defaults)),
      ...(await renderChart(SCENARIOS['everything on'])),
    ];
  });

  it('renders the kinds it is checked against (the optional ones and the test hook included)', () => {
    expect(new Set(rendered.map((m) => m.kind))).toEqual(
      new Set([
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'Pod',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]),
    );
  });

  it('grants exactly what a deploy of every kind the chart renders needs, and nothing else', () => {
    expect(sorted(grants(role?.rules ?? []))).toEqual(sorted(needs(rendered)));
  });

  it('uses no wildcards and is bound, in its namespace, to the deployer ServiceAccount only', () => {
    for (const rule of role?.rules ?? [])
      expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? [])]).not.toContain(
        '*',
      );
    const account = rbac.find((d) => d.kind === 'ServiceAccount');
    const binding = rbac.find((d) => d.kind === 'RoleBinding');
    expect(rbac.map((d) => d.kind)).not.toContain('ClusterRole');
    expect(rbac.map((d) => d.kind)).not.toContain('ClusterRoleBinding');
    expect(binding?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role?.metadata.name,
    });
    expect(binding?.subjects).toEqual([
      { kind: 'ServiceAccount', name: account?.metadata.name, namespace: role?.metadata.namespace },
    ]);
    expect(new Set(rbac.map((d) => d.metadata.namespace))).toEqual(new Set(['incidents']));
    const token = rbac.find((d) => d.kind === 'Secret');
    expect(token?.metadata.annotations?.['kubernetes.io/service-account.name']).toBe(account?.metadata.name);
  });
});

describe('the kubeconfig template of docs/examples/deployer-kubeconfig.yaml', () => {
  it('is a kubeconfig the kubeconfig action accepts, in the deployer namespace', () => {
    const text = readFileSync(`${EXAMPLES}deployer-kubeconfig.yaml`, 'utf8');
    expect(checkKubeconfig(text)).toEqual({
      contexts: ['incidents-deployer'],
      currentContext: 'incidents-deployer',
    });
    expect(text).toMatch(/namespace: incidents\n/);
  });
});
