import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  clusterUp,
  freshNamespace,
  helmDeploy,
  kubectl,
  LoadClient,
  readyPods,
  reportTime,
  serviceImage,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenarios 2 and 3: changes under load. A client pod calls the Service by its DNS name on a new
 * connection per request while the release rolls to a new image, rolls because only the incidents
 * list changed (a new content-named ConfigMap), and loses a pod; not one request may fail.
 */

const NS = 'rollout';
const RELEASE = 'incidents-service';
let env: ClusterEnv;
let v1: string;
let v2: string;

beforeAll(async () => {
  env = await clusterUp();
  v1 = await serviceImage('1.0.0');
  v2 = await serviceImage('1.0.1');
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

async function podImages(): Promise<string[]> {
  const pods = await readyPods(env, NS, RELEASE);
  return Promise.all(
    pods.map(
      async (pod) =>
        (await kubectl(env, ['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.spec.containers[0].image}']))
          .stdout,
    ),
  );
}

function reportLoad(scenario: string, started: number, result: { sent: number; failed: number }) {
  reportTime(scenario, started, `; ${result.sent} requests sent, ${result.failed} failed`);
}

describe('scenario 2: rolling upgrade under load', () => {
  it('to a new image tag: every request succeeds and the new image serves afterwards', async () => {
    const started = Date.now();
    const client = await LoadClient.start(env, NS, RELEASE, v1, 'load-image-tag');
    const before = await readyPods(env, NS, RELEASE);
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': '1.0.1',
      'smoke-test': 'none',
    });
    const result = await client.stop();
    reportLoad('2a rolling upgrade to a new tag', started, result);
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({ revision: '2', 'previous-revision': '1', 'rolled-back': 'false' });
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(200);
    const after = await readyPods(env, NS, RELEASE);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(await podImages()).toEqual([v2, v2]);
  });

  it('of the incidents list alone: the pods roll (a new content-named ConfigMap) without a failure and serve the new text', async () => {
    const started = Date.now();
    const client = await LoadClient.start(env, NS, RELEASE, v1, 'load-incidents');
    const before = await readyPods(env, NS, RELEASE);
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': '1.0.1',
      values: 'incidents:\n  - date: "2025-06-01"\n    description: Scenario two changed only the list\n',
      'smoke-test': 'none',
    });
    // The last answers come after the rollout: let the client ask the new pods a few times.
    await sleep(2000);
    const result = await client.stop();
    reportLoad('2b incidents list change', started, result);
    expect(run.errors).toEqual([]);
    expect(run.outputs).toMatchObject({ revision: '3', 'rolled-back': 'false' });
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(200);
    const after = await readyPods(env, NS, RELEASE);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(result.last).toContain('Scenario two changed only the list');
    expect(result.last).not.toContain('Database failover');
  });
});

describe('scenario 3: pod deletion under load', () => {
  it('deleting a serving pod fails no request; a replacement becomes Ready', async () => {
    const started = Date.now();
    const client = await LoadClient.start(env, NS, RELEASE, v1, 'load-delete');
    const [victim] = await readyPods(env, NS, RELEASE);
    await kubectl(env, ['-n', NS, 'delete', 'pod', victim, '--wait=true']);
    // Until the replacement is Ready, and a little after, so traffic crosses both changes.
    for (let i = 0; i < 120 && (await readyPods(env, NS, RELEASE)).length < 2; i++) await sleep(500);
    await sleep(2000);
    const result = await client.stop();
    reportLoad('3 pod deletion', started, result);
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(200);
    const after = await readyPods(env, NS, RELEASE);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(victim);
  });
});
