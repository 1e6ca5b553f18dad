import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HELM_SETUP_TIMEOUT_MS, renderChart, HELM_TEST_TIMEOUT_MS, prepareHelm } from './helm-chart.js';
import { kubernetesSchemaErrors } from './kubernetes-schemas.js';
import { SCENARIOS } from './scenarios.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

describe('rendered objects against the Kubernetes API schemas', () => {
  it.each(Object.entries(SCENARIOS))(
    'are valid with %s',
    async (_name, values) => {
      const manifests = await renderChart(values);
      expect(manifests.length).toBeGreaterThanOrEqual(4);
      expect(kubernetesSchemaErrors(manifests)).toEqual([]);
    },
    HELM_SETUP_TIMEOUT_MS,
  );

  it('the validator does catch a broken object', async () => {
    const [deployment] = (await renderChart({})).filter((m) => m.kind === 'Deployment');
    const broken = JSON.parse(JSON.stringify(deployment)) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    broken.spec.template.spec.containers[0]!.lifecycle = { preStop: { sleep: { seconds: 'five' } } };
    const errors = kubernetesSchemaErrors([broken as never]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Deployment\/incidents-incidents-service: .*sleep\/seconds must be integer/);
  });

  it('an object of an unexpected kind is an error', () => {
    const errors = kubernetesSchemaErrors([
      { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'old' } } as never,
    ]);
    expect(errors).toEqual(['PodDisruptionBudget/old: no schema for policy/v1beta1 PodDisruptionBudget']);
  });
});
