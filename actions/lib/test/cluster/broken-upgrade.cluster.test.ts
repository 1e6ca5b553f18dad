import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  dropNamespace,
  helmDeploy,
  IMAGE,
  LoadClient,
  reportTime,
  servingImages,
  servingRelease,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 4: upgrades that cannot become Ready. helm-deploy must fail the step with the reason, roll
 * back to the revision that served, say so in its outputs, put events and pod diagnostics in the
 * summary, and the serving version must answer every request of the load client meanwhile.
 */

const NS = 'broken-upgrade';
const RELEASE = 'incidents-service';
const VERSION = '1.0.0';
// Long enough for the pods to fail visibly, short enough to keep the scenario quick.
const TIMEOUT = '40s';
let env: ClusterEnv;
let image: string;
let client: LoadClient | undefined;

beforeAll(async () => {
  ({ env, image, client } = await servingRelease(NS, RELEASE, VERSION, 'none'));
});

afterAll(async () => {
  await dropNamespace(env, NS);
});

describe('scenario 4: broken upgrades', () => {
  it('an image tag that does not exist: the step fails with the reason and Helm rolls back to revision 1', async () => {
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': '0.0.0-does-not-exist',
      timeout: TIMEOUT,
    });
    reportTime('4a broken image tag', started);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^deploy of incidents-service failed \(rolled back to revision 1\): /);
    expect(run.errors[0]).toMatch(/context deadline exceeded|timed out|not ready|failed/i);
    expect(run.outputs).toEqual({
      revision: '3',
      status: 'deployed',
      'previous-revision': '1',
      'rolled-back': 'true',
    });
    expect(run.summary).toContain(`Deploy of ${RELEASE} failed`);
    expect(run.summary).toContain('Diagnostics');
    // The kubelet's own events about the image it cannot get, and the failing pod described.
    expect(run.summary).toMatch(/ErrImagePull|ImagePullBackOff|ErrImageNeverPull|Failed to pull/);
    expect(run.summary).toContain(`${IMAGE}:0.0.0-does-not-exist`);
    expect(await servingImages(env, NS, RELEASE)).toEqual([image, image]);
  });

  // Values that reach only the new pods (a broken incidents list is scenario 8's).
  it('values that make readiness fail (a probe on a path the service does not have): the step fails, rolls back', async () => {
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': VERSION,
      values:
        'readinessProbe:\n  httpGet:\n    path: /not-a-readiness-endpoint\n    port: http\n  periodSeconds: 1\n',
      timeout: TIMEOUT,
    });
    reportTime('4b readiness failing values', started);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^deploy of incidents-service failed \(rolled back to revision 3\): /);
    expect(run.outputs).toEqual({
      revision: '5',
      status: 'deployed',
      'previous-revision': '3',
      'rolled-back': 'true',
    });
    // The readiness failure as the kubelet reports it, and the pod's own answer in the diagnostics.
    expect(run.summary).toMatch(/Readiness probe failed/);
    expect(run.summary).toContain('Diagnostics');
    expect(await servingImages(env, NS, RELEASE)).toEqual([image, image]);
  });

  it('the previous version served every request of the client pod through both attempts', async () => {
    const result = await client!.stop();
    client = undefined;
    console.log(`scenario 4 load: ${result.sent} requests sent, ${result.failed} failed`);
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(200);
  });
});
