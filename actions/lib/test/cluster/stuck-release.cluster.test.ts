import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { locateTool } from '../../src/tools.js';
import {
  CHART,
  clusterUp,
  freshNamespace,
  helm,
  helmDeploy,
  IMAGE,
  kubectl,
  readyPods,
  reportTime,
  serviceImage,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 5: a release left stuck in pending-upgrade by a helm process killed mid-upgrade (what a
 * cancelled workflow run does). helm-deploy's docs promise: without rollback-on-failure it refuses and
 * names the command that recovers; with it, it recovers by itself and deploys.
 */

const NS = 'stuck-release';
const RELEASE = 'incidents-service';
let env: ClusterEnv;

beforeAll(async () => {
  env = await clusterUp();
  await serviceImage('1.0.0');
  await serviceImage('1.0.1');
  await freshNamespace(env, NS);
  const install = await helmDeploy(env, {
    release: RELEASE,
    namespace: NS,
    'image-tag': '1.0.0',
    'smoke-test': 'none',
  });
  if (install.exitCode !== 0) throw new Error(`first install failed: ${install.errors.join('\n')}`);
});

afterAll(async () => {
  if (env) await kubectl(env, ['delete', 'namespace', NS, '--wait=false'], undefined, true);
});

async function releaseStatus(): Promise<{ version: number; info: { status: string } }> {
  return JSON.parse((await helm(env, ['status', RELEASE, '-n', NS, '-o', 'json'])).stdout) as {
    version: number;
    info: { status: string };
  };
}

describe('scenario 5: stuck release', () => {
  it('helm killed mid-upgrade leaves the release in pending-upgrade', async () => {
    const started = Date.now();
    // An upgrade that waits for pods that can never start, so there is time to kill it.
    const upgrade = execa(
      await locateTool('helm'),
      [
        'upgrade',
        RELEASE,
        CHART,
        '-n',
        NS,
        '--reuse-values',
        '--set',
        'image.tag=0.0.0-never',
        '--wait=watcher',
        '--timeout',
        '3m',
      ],
      { env: { ...env }, reject: false },
    );
    let status = '';
    for (let i = 0; i < 60 && status !== 'pending-upgrade'; i++) {
      await sleep(500);
      status = (await releaseStatus()).info.status;
    }
    expect(status).toBe('pending-upgrade');
    upgrade.kill('SIGKILL');
    const killed = await upgrade;
    expect(killed.signal).toBe('SIGKILL');
    const after = await releaseStatus();
    reportTime('5 kill helm mid-upgrade', started);
    expect(after).toMatchObject({ version: 2, info: { status: 'pending-upgrade' } });
  });

  it('without rollback-on-failure, helm-deploy refuses and names the command that recovers', async () => {
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': '1.0.1',
      'rollback-on-failure': false,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `release ${RELEASE} in namespace ${NS} is stuck in pending-upgrade at revision 2, probably left by a cancelled or killed deploy. Recover with \`helm rollback ${RELEASE} 1 -n ${NS}\`, or rerun with rollback-on-failure: true.`,
    ]);
    expect((await releaseStatus()).info.status).toBe('pending-upgrade');
  });

  it('with rollback-on-failure, helm-deploy rolls back to the last deployed revision and then deploys', async () => {
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': '1.0.1',
      'smoke-test': 'none',
    });
    reportTime('5 recovery and deploy', started);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([
      expect.stringContaining(`recovering with \`helm rollback ${RELEASE} 1 -n ${NS}\` before deploying`),
    ]);
    expect(run.exitCode).toBe(0);
    // Revision 3 is the rollback to 1; the deploy is revision 4.
    expect(run.outputs).toEqual({
      revision: '4',
      status: 'deployed',
      'previous-revision': '3',
      'rolled-back': 'false',
    });
    const pods = await readyPods(env, NS, RELEASE);
    expect(pods).toHaveLength(2);
    const images = await kubectl(env, [
      '-n',
      NS,
      'get',
      'deployment',
      RELEASE,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    expect(images.stdout).toBe(`${IMAGE}:1.0.1`);
  });
});
