import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { deployRelease, DeployFailedError, type DeployOptions } from '@incidents-pipeline/actions-lib/deploy';
import { HelmClient } from '@incidents-pipeline/actions-lib/helm';
import { KubectlClient } from '@incidents-pipeline/actions-lib/kubectl';
import { actionsLog, createConsoleLog, useLog, type Log } from '@incidents-pipeline/actions-lib/log';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';
import { clusterWithRelease } from './fixtures.js';

/**
 * The deploy flow in-process, against stand-in `helm` and `kubectl`, with a log that records what
 * it was asked to mask.
 */
jest.setTimeout(30_000);

let tools: StandIns | undefined;
afterEach(() => {
  tools?.cleanup();
  useLog(actionsLog);
});

async function deploy(state: StandInState, options: Partial<DeployOptions> = {}) {
  tools = createStandIns(['helm', 'kubectl'], state);
  const masked: string[] = [];
  const lines: string[] = [];
  const sink = { write: (chunk: string) => lines.push(chunk) } as unknown as NodeJS.WritableStream;
  const console = createConsoleLog(sink);
  const recording: Log = { ...console, setSecret: (value) => (masked.push(value), console.setSecret(value)) };
  useLog(recording);
  const outcome = await deployRelease({
    release: 'incidents-service',
    namespace: 'incidents',
    chart: './chart',
    createNamespace: true,
    imageRepository: 'incidents-service',
    imageTag: '0.2.0',
    valuesFiles: [],
    set: [],
    timeout: '5m',
    wait: true,
    rollbackOnFailure: false,
    smokeTest: 'helm',
    helm: new HelmClient({ env: tools.env }),
    kubectl: new KubectlClient({ env: tools.env }),
    ...options,
  }).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { ...outcome, masked, log: lines.join('') };
}

describe('deployRelease', () => {
  it('masks the values under credential keys and nothing else', async () => {
    const values = [
      'auth:',
      '  enabled: true',
      '  apiToken: tok-7f3a9c2e',
      'db:',
      '  password: "correct horse battery"',
      '  port: 5432',
      '  passwordMinLength: 12',
      'affinity:',
      '  podAntiAffinity:',
      '    preferredDuringSchedulingIgnoredDuringExecution:',
      '      - weight: 100',
      '        podAffinityTerm:',
      '          topologyKey: kubernetes.io/hostname',
      'replicaCount: 3',
    ].join('\n');
    const { error, masked } = await deploy(clusterWithRelease('v4.1.4'), { values });
    expect(error).toBeUndefined();
    expect(masked.sort()).toEqual(['correct horse battery', 'tok-7f3a9c2e']);
  });

  it('names the exit code and the pod log line when helm test fails with nothing on stderr', async () => {
    const { error } = await deploy(clusterWithRelease('v4.1.4', { testFails: 'silently' }));
    expect(error).toBeInstanceOf(DeployFailedError);
    const message = (error as DeployFailedError).message;
    expect(message).toMatch(/helm test failed \(exit 1\): connection refused$/);
    expect(message).not.toMatch(/:\s*$/);
    expect((error as DeployFailedError).result).toMatchObject({ revision: 4, rolledBack: false });
  });

  it('returns the deployed revision with the smoke test outcome', async () => {
    const { result } = await deploy(clusterWithRelease('v4.1.4'));
    expect(result).toMatchObject({
      revision: 4,
      previousRevision: 3,
      status: 'deployed',
      rolledBack: false,
      smokeTest: 'helm test passed',
      image: 'incidents-service:0.2.0',
    });
  });
});
