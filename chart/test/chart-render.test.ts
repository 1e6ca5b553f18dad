import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'yaml';
import type { IContainer } from 'kubernetes-models/v1';
import {
  HELM_SETUP_TIMEOUT_MS,
  RELEASE,
  contentConfigMap,
  kindsOf,
  only,
  renderChart,
  type Manifest,
  HELM_TEST_TIMEOUT_MS,
  prepareHelm,
  CHART_DIR,
  NAMESPACE,
  helm,
  withValuesFile,
} from './helm-chart.js';
import { CUSTOM_INCIDENTS, SCENARIOS } from './scenarios.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

const FULLNAME = `${RELEASE}-incidents-service`;
const SELECTOR = { 'app.kubernetes.io/name': 'incidents-service', 'app.kubernetes.io/instance': RELEASE };

function serviceContainer(manifests: Manifest[]): IContainer {
  const container = only(manifests, 'Deployment').spec?.template.spec?.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return container;
}

describe('chart rendered with default values', () => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await renderChart(SCENARIOS.defaults);
  }, HELM_SETUP_TIMEOUT_MS);

  it('renders the core objects and no optional ones', () => {
    expect(kindsOf(manifests)).toEqual(
      [
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'Pod',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
  });

  it('labels every object the way helm create does', () => {
    for (const manifest of manifests) {
      expect(manifest.metadata).toMatchObject({
        labels: expect.objectContaining({
          'helm.sh/chart': 'incidents-service-0.1.0',
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/managed-by': 'Helm',
        }),
      });
    }
    expect(only(manifests, 'Deployment').metadata?.labels).toMatchObject({
      ...SELECTOR,
      'app.kubernetes.io/version': '0.1.0',
    });
  });

  it('runs two replicas, rolling one extra pod in before any old one goes', () => {
    const deployment = only(manifests, 'Deployment');
    expect(deployment.metadata?.name).toBe(FULLNAME);
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deployment.spec?.selector.matchLabels).toEqual(SELECTOR);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject(SELECTOR);
  });

  it('defaults the image tag to the appVersion', () => {
    const container = serviceContainer(manifests);
    expect(container.image).toBe('incidents-service:0.1.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  it('runs exactly the published image when a digest is given, tag kept for readers', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const rendered = await renderChart({
      image: { repository: 'registry.example/incidents-service', tag: '0.2.0', digest },
    });
    expect(serviceContainer(rendered).image).toBe(`registry.example/incidents-service:0.2.0@${digest}`);
  });

  it('lets node drains evict one pod at a time', () => {
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.minAvailable).toBeUndefined();
    expect(pdb.spec?.selector?.matchLabels).toEqual(SELECTOR);
  });

  it('spreads pods over nodes without refusing to schedule on one node', () => {
    const constraints = only(manifests, 'Deployment').spec?.template.spec?.topologySpreadConstraints;
    expect(constraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: SELECTOR },
        matchLabelKeys: ['pod-template-hash'],
      },
    ]);
  });

  it('probes readiness on /readyz, liveness on /healthz, and startup', () => {
    const container = serviceContainer(manifests);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  });

  it('sleeps natively before stopping and gives the drain enough grace', () => {
    const pod = only(manifests, 'Deployment').spec?.template.spec;
    const container = serviceContainer(manifests);
    expect(container.lifecycle?.preStop).toEqual({ sleep: { seconds: 5 } });
    const shutdownMs = Number(container.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value);
    expect(shutdownMs).toBe(10000);
    expect(pod?.terminationGracePeriodSeconds).toBe(20);
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(5 + shutdownMs / 1000);
  });

  it('hardens the pod', () => {
    const pod = only(manifests, 'Deployment').spec?.template.spec;
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(serviceContainer(manifests).securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(only(manifests, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod?.serviceAccountName).toBe(FULLNAME);
  });

  it('sets explicit requests and limits', () => {
    const { resources } = serviceContainer(manifests);
    expect(resources?.requests).toEqual({ cpu: '50m', memory: '96Mi' });
    expect(resources?.limits).toEqual({ cpu: '500m', memory: '192Mi' });
  });

  it('mounts the incidents ConfigMap as a directory and points INCIDENTS_FILE into it', () => {
    const pod = only(manifests, 'Deployment').spec?.template.spec;
    const container = serviceContainer(manifests);
    const mount = container.volumeMounts?.find((m) => m.name === 'incidents');
    expect(mount).toEqual({ name: 'incidents', mountPath: '/etc/incidents', readOnly: true });
    expect(mount?.subPath).toBeUndefined();
    expect(pod?.volumes?.find((v) => v.name === 'incidents')?.configMap?.name).toMatch(
      new RegExp(`^${FULLNAME}-incidents-[0-9a-f]{10}$`),
    );
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'INCIDENTS_FILE', value: '/etc/incidents/incidents.yaml' },
        { name: 'PORT', value: '3000' },
      ]),
    );
    expect(container.envFrom).toEqual([
      { configMapRef: { name: expect.stringMatching(new RegExp(`^${FULLNAME}-env-[0-9a-f]{10}$`)) } },
    ]);
  });

  it('puts envVars and the incidents into their ConfigMaps', () => {
    expect(contentConfigMap(manifests, 'env').data).toEqual({ TZ: 'UTC', LOG_LEVEL: 'info' });
    const file = contentConfigMap(manifests, 'incidents').data?.['incidents.yaml'] ?? '';
    expect(parse(file)).toEqual({
      incidents: [
        { date: '2024-11-05', description: 'Database failover took the status page down for 12 minutes' },
      ],
    });
  });

  it('puts no annotations on the pod template: the ConfigMap names carry the content hashes', () => {
    expect(only(manifests, 'Deployment').spec?.template.metadata?.annotations).toBeUndefined();
  });

  it('exposes the HTTP port through a ClusterIP Service', () => {
    const service = only(manifests, 'Service');
    expect(service.spec?.type).toBe('ClusterIP');
    expect(service.spec?.ports).toEqual([{ port: 80, targetPort: 'http', protocol: 'TCP', name: 'http' }]);
    expect(service.spec?.selector).toEqual(SELECTOR);
  });

  it('has a helm test pod that uses the service image and is not selected as a replica', () => {
    const pod = only(manifests, 'Pod');
    expect(pod.metadata?.annotations?.['helm.sh/hook']).toBe('test');
    const container = pod.spec?.containers[0];
    expect(container?.image).toBe('incidents-service:0.1.0');
    expect(container?.command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(container?.env).toContainEqual({ name: 'BASE_URL', value: `http://${FULLNAME}:80` });
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    // No pull secret configured: none rendered, as in the Deployment.
    expect(pod.spec).not.toHaveProperty('imagePullSecrets');
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    const labels = pod.metadata?.labels ?? {};
    const selectsTestPod = Object.entries(SELECTOR).every(([key, value]) => labels[key] === value);
    expect(selectsTestPod).toBe(false);
  });
});

describe('chart options', () => {
  it('autoscaling renders an autoscaling/v2 HPA and leaves replicas to it', async () => {
    const manifests = await renderChart(SCENARIOS.autoscaling);
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: FULLNAME },
      minReplicas: 3,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    });
    expect(only(manifests, 'Deployment').spec?.replicas).toBeUndefined();
  });

  it('a NetworkPolicy without sources admits only the HTTP port, from anywhere', async () => {
    const manifests = await renderChart(SCENARIOS['network policy, any source']);
    const policy = only(manifests, 'NetworkPolicy');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
    });
  });

  it('a NetworkPolicy with sources also admits the release test pod', async () => {
    const manifests = await renderChart(SCENARIOS['network policy, selected sources']);
    const rule = only(manifests, 'NetworkPolicy').spec?.ingress?.[0];
    expect(rule?.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(rule?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'helm-test' },
        },
      },
    ]);
    const testPodLabels = only(manifests, 'Pod').metadata?.labels;
    expect(testPodLabels).toMatchObject({
      'app.kubernetes.io/instance': RELEASE,
      'app.kubernetes.io/component': 'helm-test',
    });
  });

  it('ingress routes its hosts to the Service', async () => {
    const manifests = await renderChart(SCENARIOS.ingress);
    const ingress = only(manifests, 'Ingress');
    expect(ingress.metadata?.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['status.example.com'], secretName: 'status-tls' }],
      rules: [
        {
          host: 'status.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: FULLNAME, port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    });
  });

  it('custom envVars become strings in the env ConfigMap; the chart keeps PORT and INCIDENTS_FILE', async () => {
    const manifests = await renderChart({
      ...SCENARIOS['custom envVars and incidents'],
      envVars: { TZ: 'Europe/Vienna', FEATURE_JSON: true, CACHE_SECONDS: 30, PORT: '9999' },
    });
    // Helm merges a values map into the default one: LOG_LEVEL stays unless set to null.
    expect(contentConfigMap(manifests, 'env').data).toEqual({
      LOG_LEVEL: 'info',
      TZ: 'Europe/Vienna',
      FEATURE_JSON: 'true',
      CACHE_SECONDS: '30',
      PORT: '9999',
    });
    const env = serviceContainer(manifests).env ?? [];
    expect(env.find((e) => e.name === 'PORT')?.value).toBe('3000');
    expect(env).toContainEqual({
      name: 'API_TOKEN',
      valueFrom: { secretKeyRef: { name: 'status-secrets', key: 'token' } },
    });
  });

  it('custom incidents parse back from the mounted file with dates as strings', async () => {
    const manifests = await renderChart(SCENARIOS['custom envVars and incidents']);
    const file = contentConfigMap(manifests, 'incidents').data?.['incidents.yaml'] ?? '';
    expect(parse(file)).toEqual({ incidents: CUSTOM_INCIDENTS });
  });

  it('unquoted dates in a values file stay the same calendar dates', async () => {
    const manifests = await renderChart(
      'incidents:\n  - date: 2023-01-31\n    description: unquoted\n  - date: "2022-06-15"\n',
    );
    const file = contentConfigMap(manifests, 'incidents').data?.['incidents.yaml'] ?? '';
    // Parsed as YAML 1.1 would turn an unquoted date into a timestamp; the service reads the text.
    expect(file).toMatch(/date: "?2023-01-31"?\n/);
    expect(parse(file)).toEqual({
      incidents: [{ date: '2023-01-31', description: 'unquoted' }, { date: '2022-06-15' }],
    });
  });

  it('everything on: image, ports, service type, extra spread and pod annotations and labels', async () => {
    const manifests = await renderChart(SCENARIOS['everything on']);
    const deployment = only(manifests, 'Deployment');
    const pod = deployment.spec?.template;
    const container = serviceContainer(manifests);
    expect(container.image).toBe('ghcr.io/example/incidents-service:1.4.2');
    expect(container.imagePullPolicy).toBe('Always');
    expect(pod?.spec?.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
    // The helm test pod runs the same private image: without the secret its pull fails, helm test
    // fails and the deploy is rolled back.
    const testPod = only(manifests, 'Pod');
    expect(testPod.spec?.containers[0]?.image).toBe(container.image);
    expect(testPod.spec?.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
    expect(deployment.metadata?.labels?.['app.kubernetes.io/version']).toBe('1.4.2');
    expect(only(manifests, 'Service').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 8080 }] });
    expect(pod?.metadata?.annotations).toMatchObject({ 'example.com/rollout': '2' });
    expect(pod?.metadata?.labels).toMatchObject({ team: 'sre', ...SELECTOR });
    expect(pod?.spec?.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(pod?.spec?.terminationGracePeriodSeconds).toBe(45);
    expect(container.lifecycle?.preStop?.sleep?.seconds).toBe(10);
    expect(container.env).toContainEqual({ name: 'SHUTDOWN_TIMEOUT_MS', value: '20000' });
    expect(only(manifests, 'Pod').spec?.containers[0]?.env).toContainEqual({
      name: 'BASE_URL',
      value: `http://${FULLNAME}:8080`,
    });
  });

  it('the PrivateLink overlay renders an internal NLB Service with its annotations', async () => {
    const overlay = fileURLToPath(new URL('../../docs/examples/values-privatelink.yaml', import.meta.url));
    const manifests = await renderChart({}, ['-f', overlay]);
    const service = only(manifests, 'Service');
    expect(service.spec?.type).toBe('LoadBalancer');
    expect(service.metadata?.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    });
    expect(only(manifests, 'Deployment').spec?.replicas).toBe(3);
  });

  it('the computed grace period follows the sleep and the shutdown timeout', async () => {
    const manifests = await renderChart({ shutdown: { preStopSleepSeconds: 3, timeoutMs: 25500 } });
    // 3 s sleep + 26 s (25.5 s rounded up) drain + 5 s headroom
    expect(only(manifests, 'Deployment').spec?.template.spec?.terminationGracePeriodSeconds).toBe(34);
  });

  it('extras can be switched off', async () => {
    const manifests = await renderChart(SCENARIOS['without extras']);
    expect(kindsOf(manifests)).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'Service']);
    const pod = only(manifests, 'Deployment').spec?.template.spec;
    expect(pod?.topologySpreadConstraints).toBeUndefined();
    expect(pod?.serviceAccountName).toBe('default');
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it('fullnameOverride names every object', async () => {
    const manifests = await renderChart({ fullnameOverride: 'status' });
    expect(only(manifests, 'Deployment').metadata?.name).toBe('status');
    expect(contentConfigMap(manifests, 'env').metadata?.name).toMatch(/^status-env-[0-9a-f]{10}$/);
    expect(contentConfigMap(manifests, 'incidents').metadata?.name).toMatch(
      /^status-incidents-[0-9a-f]{10}$/,
    );
  });
});

describe('NOTES.txt', () => {
  async function notes(values: Record<string, unknown>): Promise<string> {
    const result = await withValuesFile(values, (file) =>
      helm(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--dry-run=client', '--values', file]),
    );
    if (result.exitCode !== 0) throw new Error(result.stderr);
    return result.stdout.slice(result.stdout.indexOf('NOTES:'));
  }

  it('says how to reach a ClusterIP service and how to test it', async () => {
    const text = await notes({});
    expect(text).toContain(`kubectl --namespace ${NAMESPACE} port-forward service/${FULLNAME} 8080:80`);
    expect(text).toContain(`http://${FULLNAME}.${NAMESPACE}.svc:80/`);
    expect(text).toContain(`helm test ${RELEASE} --namespace ${NAMESPACE} --logs`);
  });

  it('gives the ingress URL when there is one', async () => {
    const text = await notes({ ingress: { enabled: true, tls: [{ hosts: ['incidents.local'] }] } });
    expect(text).toContain('https://incidents.local/');
    expect(text).not.toContain('port-forward');
  });
});
