import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { deployRelease, DeployFailedError, type DeployOptions } from '@incidents-pipeline/actions-lib/deploy';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
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

describe('deployRelease with refuseDowngrade (a delivery never moves a release back)', () => {
  const upgrades = () => tools!.calls('helm').filter((c) => c.args[0] === 'upgrade');

  it('refuses an older version than the one running, before helm upgrade, and names the way back', async () => {
    const { error } = await deploy(clusterWithRelease('v4.1.4'), {
      imageTag: '0.0.9',
      refuseDowngrade: true,
    });
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toBe(
      'incidents-service in namespace incidents runs 0.1.0, newer than 0.0.9: a delivery never moves a release ' +
        'to an older version (a newer one was delivered first); to go back on purpose, dispatch deploy.yml ' +
        'for 0.0.9 or rollback.yml',
    );
    expect(upgrades()).toEqual([]);
    expect(tools!.state<StandInState>().releases!['incidents-service'].history).toHaveLength(3);
  });

  it('counts a prerelease as older than its release', async () => {
    const { error } = await deploy(clusterWithRelease('v4.1.4'), {
      imageTag: '0.1.0-rc.2',
      refuseDowngrade: true,
    });
    expect((error as Error).message).toMatch(
      /^incidents-service in namespace incidents runs 0\.1\.0, newer than 0\.1\.0-rc\.2:/,
    );
    expect(upgrades()).toEqual([]);
  });

  it.each(['0.1.0', '0.2.0', '0.1.1-rc.1'])('deploys %s over 0.1.0 (the same or newer)', async (imageTag) => {
    const { error, result } = await deploy(clusterWithRelease('v4.1.4'), { imageTag, refuseDowngrade: true });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ revision: 4, previousRevision: 3 });
    expect(upgrades()).toHaveLength(1);
  });

  it('lets an explicit deploy (refuseDowngrade off) go back to an older version', async () => {
    const { error, result } = await deploy(clusterWithRelease('v4.1.4'), { imageTag: '0.0.9' });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ revision: 4, image: 'incidents-service:0.0.9' });
  });

  it('compares only with a deployed revision: a failed 0.9.0 on top of 0.1.0 does not refuse 0.2.0', async () => {
    // The failed revision's values are those of a rollout that did not happen; 0.1.0 still serves.
    const state = clusterWithRelease('v4.1.4');
    state.releases!['incidents-service'].history.push({
      revision: 4,
      updated: '2026-11-25T09:00:00Z',
      chart: 'incidents-service-0.1.0',
      app_version: '0.1.0',
      status: 'failed',
      description: 'Upgrade "incidents-service" failed',
      config: { image: { repository: 'incidents-service', tag: '0.9.0' } },
    });
    const { error } = await deploy(state, { imageTag: '0.2.0', refuseDowngrade: true });
    expect(error).toBeUndefined();
    expect(upgrades()).toHaveLength(1);
  });

  it('installs a first release: nothing runs to compare with', async () => {
    const { error, result } = await deploy(clusterWithRelease('v4.1.4', { releases: {} }), {
      imageTag: '0.0.9',
      refuseDowngrade: true,
    });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ revision: 1, previousRevision: undefined });
  });

  it("reads the running version from the chart's appVersion when the release set no image tag", async () => {
    const state = clusterWithRelease('v4.1.4');
    for (const entry of state.releases!['incidents-service'].history) {
      entry.config = {};
      entry.app_version = '0.3.0';
    }
    const { error } = await deploy(state, { imageTag: '0.2.0', refuseDowngrade: true });
    expect((error as Error).message).toMatch(/ runs 0\.3\.0, newer than 0\.2\.0:/);
  });

  it('refuses when the running image tag is not a version it can compare, and says what to do', async () => {
    const state = clusterWithRelease('v4.1.4');
    for (const entry of state.releases!['incidents-service'].history)
      entry.config = { image: { tag: 'latest' } };
    const { error } = await deploy(state, { imageTag: '0.2.0', refuseDowngrade: true });
    expect((error as Error).message).toBe(
      "incidents-service in namespace incidents runs image tag 'latest', which is not a version to compare " +
        '0.2.0 with; deploy a version explicitly (deploy.yml dispatch) first',
    );
    expect(upgrades()).toEqual([]);
  });

  it('needs the image tag it is asked to compare', async () => {
    const { error } = await deploy(clusterWithRelease('v4.1.4'), {
      imageTag: undefined,
      refuseDowngrade: true,
    });
    expect((error as Error).message).toBe(
      "input 'refuse-downgrade': needs image-tag, the version to compare with the running one",
    );
  });
});
