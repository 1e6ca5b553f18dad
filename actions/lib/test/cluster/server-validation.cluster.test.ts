import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import {
  CHART,
  clusterUp,
  freshNamespace,
  helm,
  kubectl,
  REPO,
  reportTime,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 6: the real API server validates what the chart renders with every optional feature on.
 * The schema only knows the chart's types; a value it allows that Kubernetes refuses is found here.
 */

const NS = 'server-validation';
let env: ClusterEnv;
const files = tempDir('server-validation-');

// Every optional feature of values.yaml switched on, with the values an operator would give.
const ALL_FEATURES = `
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 4
networkPolicy:
  enabled: true
  from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: ingress
ingress:
  enabled: true
  className: internal
  annotations:
    example.invalid/owner: incidents
  hosts:
    - host: incidents.example.invalid
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: incidents-tls
      hosts:
        - incidents.example.invalid
`;

beforeAll(async () => {
  env = await clusterUp();
  await freshNamespace(env, NS);
  writeFileSync(path.join(files.dir, 'all-features.yaml'), ALL_FEATURES);
});

afterAll(async () => {
  files.cleanup();
  if (env) await kubectl(env, ['delete', 'namespace', NS, '--wait=false'], undefined, true);
});

/**
 * `helm install --dry-run=server` renders with the server's capabilities and lookups, but Helm sends
 * no object for validation (seen here: a refused annotation key passes it). So its manifest then goes
 * to `kubectl apply --dry-run=server`, where the API server validates and admits each object and
 * stores none. Returns the kinds sent and kubectl's result.
 */
async function serverDryRun(args: string[]) {
  const install = await helm(env, [
    'install',
    'incidents-service',
    CHART,
    '--namespace',
    NS,
    '--dry-run=server',
    '--output',
    'json',
    '--set',
    'image.tag=1.0.0',
    ...args,
  ]);
  const release = JSON.parse(install.stdout) as { info: { status: string }; manifest: string };
  const kinds = [...release.manifest.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]).sort();
  const apply = await kubectl(
    env,
    ['apply', '--dry-run=server', '-n', NS, '-f', '-'],
    release.manifest,
    true,
  );
  return { status: release.info.status, kinds, apply };
}

describe('scenario 6: server-side validation', () => {
  it('accepts the chart with HPA, NetworkPolicy, Ingress and the PrivateLink overlay all on', async () => {
    const started = Date.now();
    const run = await serverDryRun([
      '--values',
      path.join(files.dir, 'all-features.yaml'),
      '--values',
      path.join(REPO, 'docs/examples/values-privatelink.yaml'),
    ]);
    reportTime('6 server-side dry run', started);
    expect(run.status).toBe('pending-install');
    expect(run.apply.stderr).toBe('');
    expect(run.apply.exitCode).toBe(0);
    expect(run.apply.stdout).toMatch(
      /horizontalpodautoscaler\.autoscaling\/incidents-service created \(server dry run\)/,
    );
    expect(run.apply.stdout).toMatch(
      /ingress\.networking\.k8s\.io\/incidents-service created \(server dry run\)/,
    );
    expect(run.apply.stdout).toMatch(
      /networkpolicy\.networking\.k8s\.io\/incidents-service created \(server dry run\)/,
    );
    expect(run.apply.stdout).toMatch(/service\/incidents-service created \(server dry run\)/);
    expect(run.kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ]),
    );
    // Nothing was stored: a dry run leaves the namespace empty.
    const left = await kubectl(env, ['-n', NS, 'get', 'deployments,services', '-o', 'name']);
    expect(left.stdout.trim()).toBe('');
  });

  it('can refuse: a value the API server rejects fails the dry run (so acceptance above means something)', async () => {
    // An annotation key with two slashes renders fine and is refused by the API server's validation.
    const run = await serverDryRun(['--set', 'podAnnotations.a/b/c=x']);
    expect(run.apply.exitCode).not.toBe(0);
    expect(run.apply.stderr).toMatch(/Deployment.*is invalid.*a\/b\/c/s);
  });
});
