import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  dropNamespace,
  helmDeploy,
  helmRollback,
  IMAGE,
  LoadClient,
  readyPods,
  reportTime,
  servingImages,
  servingRelease,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 6: fail fast. An upgrade whose new pods can never start (an image tag that does not
 * exist) stops well before its timeout, names the pod and the reason, and is rolled back; an upgrade
 * whose pods are only slow to become ready (readiness after 80 s, longer than fail-fast's 60 s) is
 * left to finish; helm-rollback to the broken revision stops the same way and returns to the one
 * that ran. The serving version answers every request of the load client throughout.
 */

const NS = 'fail-fast';
const RELEASE = 'incidents-service';
const VERSION = '1.0.0';
const MISSING_TAG = '9.9.9-does-not-exist';
let env: ClusterEnv;
let image: string;
let client: LoadClient | undefined;

beforeAll(async () => {
  ({ env, image, client } = await servingRelease(NS, RELEASE, VERSION, 'none'));
});

afterAll(async () => {
  await dropNamespace(env, NS);
});

describe('scenario 6: fail fast', () => {
  it('(c) an image tag that does not exist: the step stops within 90 s, names the pod and the reason, and is rolled back', async () => {
    const started = Date.now();
    // A timeout of 3 minutes: without fail-fast the step would take all of it.
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': MISSING_TAG,
      timeout: '3m',
    });
    const seconds = (Date.now() - started) / 1000;
    reportTime('6c missing image, fail-fast-after 60s (default)', started, `: ${run.errors.join('; ')}`);
    expect(run.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^deploy of ${RELEASE} failed \\(rolled back to revision 1\\): pod ${RELEASE}-[a-z0-9]+-[a-z0-9]+: ` +
            `container ${RELEASE}: (ErrImagePull|ImagePullBackOff|ErrImageNeverPull): .*${IMAGE}:${MISSING_TAG.replace(/\./g, '\\.')}.*` +
            ` \\(for \\d+s; fail-fast-after is 60s\\)$`,
        ),
      ),
    ]);
    expect(run.exitCode).toBe(1);
    expect(seconds).toBeLessThan(90);
    expect(run.outputs).toEqual({
      revision: '3',
      status: 'deployed',
      'previous-revision': '1',
      'rolled-back': 'true',
    });
    expect(run.summary).toContain('Diagnostics');
    expect(await servingImages(env, NS, RELEASE)).toEqual([image, image]);
  });

  it('(d) pods that become ready only after 80 s, longer than fail-fast-after: the rollout is left to finish', async () => {
    const started = Date.now();
    const run = await helmDeploy(env, {
      release: RELEASE,
      namespace: NS,
      'image-tag': VERSION,
      values: 'readinessProbe:\n  initialDelaySeconds: 80\n',
      timeout: '5m',
      'smoke-test': 'none',
    });
    const seconds = (Date.now() - started) / 1000;
    reportTime('6d readiness after 80 s, not cut short', started);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      revision: '4',
      status: 'deployed',
      'previous-revision': '3',
      'rolled-back': 'false',
    });
    // Each of the two new pods waited 80 s for readiness: the watch had time to misjudge them.
    expect(seconds).toBeGreaterThan(160);
    expect(await readyPods(env, NS, RELEASE)).toHaveLength(2);
  });

  it('(e) helm-rollback to the revision whose image does not exist: stops within 90 s and returns to the revision that ran', async () => {
    const started = Date.now();
    const run = await helmRollback(env, {
      release: RELEASE,
      namespace: NS,
      revision: '2',
      timeout: '3m',
      'smoke-test': 'none',
    });
    const seconds = (Date.now() - started) / 1000;
    reportTime(
      '6e rollback to the missing image, fail-fast-after 60s (default)',
      started,
      `: ${run.errors.join('; ')}`,
    );
    expect(run.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^rollback of ${RELEASE} to revision 2 failed \\(returned to revision 4\\): pod ${RELEASE}-[a-z0-9]+-[a-z0-9]+: ` +
            `container ${RELEASE}: (ErrImagePull|ImagePullBackOff|ErrImageNeverPull): .*${IMAGE}:${MISSING_TAG.replace(/\./g, '\\.')}`,
        ),
      ),
    ]);
    expect(seconds).toBeLessThan(90);
    // Helm died on SIGTERM with revision 5 pending-rollback; revision 6 runs revision 4 again.
    expect(run.outputs).toEqual({
      revision: '6',
      status: 'deployed',
      'previous-revision': '4',
      'rolled-back-to': '2',
    });
    expect(await servingImages(env, NS, RELEASE)).toEqual([image, image]);
  });

  it('the serving version answered every request of the client pod through all three changes', async () => {
    const result = await client!.stop();
    client = undefined;
    console.log(`scenario 6 load: ${result.sent} requests sent, ${result.failed} failed`);
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(200);
  });
});
