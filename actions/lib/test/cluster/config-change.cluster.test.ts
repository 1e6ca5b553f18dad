import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type ActionRun } from '@incidents-pipeline/test-support/action-env';
import { denseIncidents } from '@incidents-pipeline/test-support/dense-incidents';
import {
  dropNamespace,
  helmDeploy,
  kubectl,
  LoadClient,
  readyPods,
  reportTime,
  servingRelease,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 8: an operator's most common change, the incidents list, done badly and done big, under
 * the in-cluster load client. A malformed list reaches only the new pods (each revision has its own
 * content-named ConfigMap), which never become ready, so Helm rolls back while the serving pods keep
 * their file; a dense list near the ConfigMap limit loads in every pod within the chart's default
 * resources. The release is checked with `smoke-test: http` (port-forward, `/readyz` and `/`).
 */

const NS = 'config-change';
const RELEASE = 'incidents-service';
const VERSION = '1.0.0';
const TIMEOUT = '40s';
let env: ClusterEnv;
let client: LoadClient | undefined;
const scratch = tempDir('config-change-');

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string };
    status: { containerStatuses?: { restartCount: number; ready: boolean }[] };
  }[];
}

/** The release's pods that are not on their way out. */
async function releasePods(): Promise<PodList['items']> {
  const pods = await kubectl(env, [
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/name`,
    '-o',
    'json',
  ]);
  // The old revision's pods may still be draining (terminating) right after the rollout.
  return (JSON.parse(pods.stdout) as PodList).items.filter((p) => !p.metadata.deletionTimestamp);
}

/** The incidents ConfigMap the Deployment's pods mount. */
async function mountedConfigMap(): Promise<string> {
  const deployment = JSON.parse(
    (await kubectl(env, ['-n', NS, 'get', 'deployment', RELEASE, '-o', 'json'])).stdout,
  ) as { spec: { template: { spec: { volumes: { name: string; configMap?: { name: string } }[] } } } };
  const names = deployment.spec.template.spec.volumes.flatMap((v) => (v.configMap ? [v.configMap.name] : []));
  return names.find((n) => n.includes('-incidents-')) ?? '';
}

beforeAll(async () => {
  let install: ActionRun;
  ({ env, install, client } = await servingRelease(NS, RELEASE, VERSION, 'http'));
  expect(install.summary).toMatch(/http: status: \d+ days? since the last incident/);
});

afterAll(async () => {
  scratch.cleanup();
  await dropNamespace(env, NS);
});

describe('scenario 8: changes of the incidents list', () => {
  it('a malformed list fails the step and is rolled back; the serving pods keep their file', async () => {
    const before = await mountedConfigMap();
    const servingBefore = (await readyPods(env, NS, RELEASE)).sort();
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': VERSION,
      values: 'incidentsFile: |\n  incidents:\n    - date: [2026-01-01\n',
      timeout: TIMEOUT,
    });
    reportTime('8a malformed incidents list', started);
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/^deploy of incidents-service failed \(rolled back to revision 1\): /);
    expect(run.outputs['rolled-back']).toBe('true');
    // The new pods said why they were not ready.
    expect(run.summary).toMatch(/Readiness probe failed|not ready/);
    expect(await mountedConfigMap()).toBe(before);
    expect((await readyPods(env, NS, RELEASE)).sort()).toEqual(servingBefore);
  });

  it('a dense list near the ConfigMap limit loads in every pod: all ready, no restart, and it is served', async () => {
    const dense = denseIncidents(900_000, '2026-01-02').toString('utf8');
    const valuesFile = path.join(scratch.dir, 'dense.yaml');
    // A JSON string is a YAML scalar that keeps the text as it is.
    writeFileSync(valuesFile, `incidentsFile: ${JSON.stringify(dense)}\n`);
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': VERSION,
      'values-files': valuesFile,
      'smoke-test': 'http',
    });
    reportTime('8b dense incidents list', started, `, ${dense.length} bytes`);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.summary).toMatch(/http: status: \d+ days since the last incident/);
    const pods = await releasePods();
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.status.containerStatuses?.map((c) => [c.ready, c.restartCount])).toEqual([[true, 0]]);
    }
  });

  it('the client pod got an answer to every request through both changes, the dense list at the end', async () => {
    const result = await client!.stop();
    client = undefined;
    console.log(`scenario 8 load: ${result.sent} requests sent, ${result.failed} failed`);
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(100);
    expect(result.last).toContain('# dense incidents file');
  });
});
