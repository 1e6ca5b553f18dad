import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { templateChart, HELM_SETUP_TIMEOUT_MS, HELM_TEST_TIMEOUT_MS, prepareHelm } from './helm-chart.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

/** values.schema.json (and the chart's own checks) stop bad values before anything reaches a cluster. */

const REFUSED: Array<[string, unknown, RegExp]> = [
  ['a negative replicaCount', { replicaCount: -1 }, /\/replicaCount.*minimum/],
  ['a non-numeric replicaCount', { replicaCount: 'two' }, /\/replicaCount.*want integer/],
  ['a fractional replicaCount', { replicaCount: 1.5 }, /\/replicaCount/],
  ['service port 0', { service: { port: 0 } }, /\/service\/port.*minimum/],
  ['service port 65536', { service: { port: 65536 } }, /\/service\/port.*maximum/],
  ['a service port given as text', { service: { port: 'http' } }, /\/service\/port.*want integer/],
  ['container port 70000', { containerPort: 70000 }, /\/containerPort.*maximum/],
  ['an unknown service type', { service: { type: 'Headless' } }, /\/service\/type/],
  ['a missing image repository', { image: { repository: null } }, /\/image.*missing property 'repository'/],
  ['an empty image repository', { image: { repository: '' } }, /\/image\/repository/],
  ['the latest tag', { image: { tag: 'latest' } }, /\/image\/tag/],
  ['a numeric image tag', { image: { tag: 1.2 } }, /\/image\/tag.*want string/],
  ['an image digest that is not sha256', { image: { digest: 'latest' } }, /\/image\/digest/],
  [
    'an image digest given with its repository',
    { image: { digest: `r@sha256:${'a'.repeat(64)}` } },
    /\/image\/digest/,
  ],
  ['an unknown pull policy', { image: { pullPolicy: 'Sometimes' } }, /\/image\/pullPolicy/],
  [
    'a PodDisruptionBudget that blocks drains',
    { podDisruptionBudget: { maxUnavailable: 0 } },
    /\/podDisruptionBudget\/maxUnavailable/,
  ],
  ['envVars as a list', { envVars: ['TZ=UTC'] }, /\/envVars.*want object/],
  [
    'an envVars name that is not a variable name',
    { envVars: { 'MY-VAR': 'x' } },
    /\/envVars.*'MY-VAR' not allowed/,
  ],
  ['an envVars value that is a map', { envVars: { TZ: { zone: 'UTC' } } }, /\/envVars\/TZ/],
  ['incidents as a map', { incidents: { date: '2024-01-01' } }, /\/incidents.*want array/],
  ['no incidents at all', { incidents: [] }, /\/incidents.*minItems/],
  [
    'an incident without a date',
    { incidents: [{ description: 'x' }] },
    /\/incidents\/0.*missing property 'date'/,
  ],
  ['an incident date that is not ISO', { incidents: [{ date: '25.12.2024' }] }, /\/incidents\/0\/date/],
  [
    'an incidentsFile that is a list',
    { incidentsFile: [{ date: '2024-01-01' }] },
    /\/incidentsFile.*want string/,
  ],
  ['an incidentsFile that is a number', { incidentsFile: 20240101 }, /\/incidentsFile.*want string/],
  ['a negative preStop sleep', { shutdown: { preStopSleepSeconds: -1 } }, /\/shutdown\/preStopSleepSeconds/],
  ['a shutdown timeout given as text', { shutdown: { timeoutMs: '10s' } }, /\/shutdown\/timeoutMs/],
  ['HPA bounds of zero', { autoscaling: { enabled: true, minReplicas: 0 } }, /\/autoscaling\/minReplicas/],
  ['a misspelled top-level value', { replicas: 3 }, /additional properties 'replicas' not allowed/],
  [
    'a resource quantity that is not one',
    { resources: { limits: { memory: 'lots' } } },
    /\/resources\/limits\/memory/,
  ],
];

describe('values the chart refuses', () => {
  it.each(REFUSED)('%s', async (_name, values, message) => {
    const result = await templateChart(values);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('a grace period that does not cover the preStop sleep plus the shutdown timeout', async () => {
    const result = await templateChart({
      shutdown: { preStopSleepSeconds: 5, timeoutMs: 10000, terminationGracePeriodSeconds: 15 },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('shutdown.terminationGracePeriodSeconds (15) must be larger than');
  });

  it('accepts the boundary values', async () => {
    const result = await templateChart({
      replicaCount: 0,
      containerPort: 65535,
      service: { port: 1 },
      podDisruptionBudget: { maxUnavailable: '50%' },
      shutdown: { preStopSleepSeconds: 5, timeoutMs: 10000, terminationGracePeriodSeconds: 16 },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
