import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { projectRepo } from '@incidents-pipeline/devtools/act/pipeline-repo';
import { runAct, type ActRun } from '@incidents-pipeline/devtools/act/run';
import { ensureTestBaseImage } from '@incidents-pipeline/devtools/base-image/base-image';
import type { TestRepo } from '@incidents-pipeline/test-support/git-repo';
import { runTool } from '../src/process.js';
import { clusterDown, clusterUp, kubectl, releaseHistory, type ClusterEnv } from './cluster/scenario.js';

/**
 * ci.yml's chart, image and kind jobs under act (issue 15, case 6), twice in a row on the same machine
 * and the same local cluster, so anything a first run leaves behind (the smoke container, the probe
 * pod, a release that no longer rolls) fails the second. The kind job is the zero-downtime check: a
 * client pod calls the Service through a whole rollout, and any failed request fails the job.
 */

const NAMESPACE = 'incidents';
const RELEASE = 'incidents-service';
const cacheDir = tempDir('act-ci-').dir;
let repo: TestRepo;
let baseImage: string;
let cluster: ClusterEnv;
const timings: string[] = [];
const probes: string[] = [];

beforeAll(async () => {
  await clusterDown();
  baseImage = (await ensureTestBaseImage()).image;
  repo = await projectRepo();
}, 10 * 60_000);

afterAll(() => {
  repo?.cleanup();
  process.stdout.write(`ci.yml under act: ${timings.join(', ')}\n  ${probes.join('\n  ')}\n`);
});

async function job(id: string, round: number): Promise<ActRun> {
  const run = await runAct(
    ['push', '-W', '.github/workflows/ci.yml', '-j', id, '--var', `BASE_IMAGE=${baseImage}`],
    {
      cwd: repo.dir,
      cacheDir,
    },
  );
  timings.push(`${id} #${round} ${(run.durationMs / 1000).toFixed(1)} s`);
  return run;
}

const rolloutIds = new Set<string>();

describe.each([1, 2])('ci.yml, run %i', (round) => {
  test('chart: lint and render', async () => {
    const run = await job('chart', round);
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ chart: 'success' });
  });

  test('image: build, start read-only, answer, stop on SIGTERM with exit 0, and leave no container', async () => {
    const run = await job('image', round);
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ image: 'success' });
    const left = await runTool('docker', ['ps', '--all', '--quiet', '--filter', 'name=^incidents-smoke$'], {
      group: false,
    });
    expect(left.stdout.trim()).toBe('');
  });

  test('kind: deploy to the local cluster, then roll every pod with no failed request', async () => {
    const run = await job('kind', round);
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ kind: 'success' });
    const done = /probe: done ok=(\d+) failed=(\d+) stopped=(\w+)/.exec(run.output);
    probes.push(`run ${round}: ${done?.[0] ?? 'no probe result'}`);
    expect(done && { failed: Number(done[2]), stopped: done[3] }).toEqual({ failed: 0, stopped: 'true' });
    expect(Number(done?.[1])).toBeGreaterThan(0);

    cluster ??= await clusterUp();
    // Each run deploys, then rolls: two revisions a run, on one release that outlives the runs.
    const revisions = await releaseHistory(cluster, NAMESPACE, RELEASE);
    expect(revisions.at(-1)).toEqual(expect.objectContaining({ revision: 2 * round, status: 'deployed' }));
    // The rollout changed the pods each time, and the probe pod is gone.
    const rolloutId = (
      await kubectl(cluster, [
        'get',
        'deployment',
        RELEASE,
        '--namespace',
        NAMESPACE,
        '--output',
        "jsonpath={.spec.template.metadata.annotations['rollout-id']}",
      ])
    ).stdout;
    expect(rolloutId).not.toBe('');
    expect(rolloutIds.has(rolloutId)).toBe(false);
    rolloutIds.add(rolloutId);
    const probe = await kubectl(cluster, [
      'get',
      'pod',
      'rollout-probe',
      '--namespace',
      NAMESPACE,
      '--ignore-not-found',
      '--output',
      'name',
    ]);
    expect(probe.stdout.trim()).toBe('');
  });
});
