/**
 * Values sets the chart must render, lint and validate cleanly: the defaults and each option.
 * Shared by the lint, render and Kubernetes-schema tests so every option is checked all three ways.
 */
export const CUSTOM_INCIDENTS = [
  { date: '2025-03-14', description: 'Certificate expired on the public endpoint', minutes: 42 },
  { date: '2024-12-01', description: 'Node pool upgrade: "drain" took both replicas', severity: 'major' },
];

export const SCENARIOS: Record<string, Record<string, unknown>> = {
  defaults: {},
  autoscaling: {
    autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 6, targetCPUUtilizationPercentage: 60 },
  },
  'network policy, any source': { networkPolicy: { enabled: true } },
  'network policy, selected sources': {
    networkPolicy: {
      enabled: true,
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
    },
  },
  ingress: {
    ingress: {
      enabled: true,
      className: 'nginx',
      annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' },
      hosts: [{ host: 'status.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
      tls: [{ hosts: ['status.example.com'], secretName: 'status-tls' }],
    },
  },
  'custom envVars and incidents': {
    envVars: { TZ: 'Europe/Vienna', LOG_LEVEL: 'debug', FEATURE_JSON: true, CACHE_SECONDS: 30 },
    incidents: CUSTOM_INCIDENTS,
    extraEnv: [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'status-secrets', key: 'token' } } }],
  },
  'raw incidents file': {
    incidentsFile: '# kept as written\nincidents:\n  - date: 2025-03-14 # unquoted\n    title: Zürich\n',
  },
  'everything on': {
    replicaCount: 3,
    image: { repository: 'ghcr.io/example/incidents-service', tag: '1.4.2', pullPolicy: 'Always' },
    imagePullSecrets: [{ name: 'ghcr' }],
    service: { type: 'NodePort', port: 8080 },
    autoscaling: { enabled: true },
    networkPolicy: { enabled: true },
    ingress: { enabled: true },
    podAnnotations: { 'example.com/rollout': '2' },
    podLabels: { team: 'sre' },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'incidents-service' } },
      },
    ],
    shutdown: { preStopSleepSeconds: 10, timeoutMs: 20000, terminationGracePeriodSeconds: 45 },
  },
  'without extras': {
    podDisruptionBudget: { enabled: false },
    topologySpread: { enabled: false },
    serviceAccount: { create: false },
    tests: { enabled: false },
  },
};
