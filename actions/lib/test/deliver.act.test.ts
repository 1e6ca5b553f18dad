import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '../src/testing/action-env.js';
import { projectRepo } from '../src/testing/act/pipeline-repo.js';
import { runAct, type ActRun } from '../src/testing/act/run.js';
import { ensureTestBaseImage } from '../src/testing/base-image.js';
import type { TestRepo } from '../src/testing/git-repo.js';
import { runTool } from '../src/process.js';
import { clusterDown, clusterUp, helm, kubectl, type ClusterEnv } from './cluster/scenario.js';

/**
 * deliver.yml on a tag push and deploy.yml by dispatch, under act against the local cluster (issue 15,
 * cases 4 and 5). The repository is this project as git sees it (projectRepo); the kind-action
 * stand-in brings up the local cluster, and our own actions run from their committed bundles. Each
 * case asserts on the cluster: the release's revisions, and the image its pods run, traced back to the
 * commit of the tag through the image's revision label.
 */

const NAMESPACE = 'incidents';
const RELEASE = 'incidents-service';
const cacheDir = tempDir('act-deliver-').dir;
let repo: TestRepo;
let baseImage: string;
let cluster: ClusterEnv;
const timings: string[] = [];

beforeAll(async () => {
  // An empty cluster: what an earlier test file deployed must not decide this one.
  await clusterDown();
  baseImage = (await ensureTestBaseImage()).image;
  repo = await projectRepo();
}, 10 * 60_000);

afterAll(() => {
  repo?.cleanup();
  process.stdout.write(`deliver.yml and deploy.yml under act: ${timings.join(', ')}\n`);
});

/** act with the test base image for the build (no registry here serves the Dockerfile's). */
async function act(label: string, args: string[]): Promise<ActRun> {
  const run = await runAct([...args, '--var', `BASE_IMAGE=${baseImage}`], { cwd: repo.dir, cacheDir });
  timings.push(`${label} ${(run.durationMs / 1000).toFixed(1)} s`);
  if (run.exitCode !== 0 && process.env.INCIDENTS_ACT_DEBUG) process.stdout.write(run.output);
  return run;
}

interface Revision {
  revision: number;
  status: string;
  app_version: string;
}

const history = async (): Promise<Revision[]> =>
  JSON.parse(
    (await helm(cluster, ['history', RELEASE, '--namespace', NAMESPACE, '--output', 'json'])).stdout,
  );

/** The image ID every pod of the release runs (its serving pods and the helm test pod alike). */
async function runningImages(): Promise<{ serving: string[]; test: string[]; deployment: string }> {
  const pods = JSON.parse(
    (await kubectl(cluster, ['get', 'pods', '--namespace', NAMESPACE, '--output', 'json'])).stdout,
  ) as {
    items: {
      metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
      status: { phase: string; containerStatuses?: { imageID: string; ready: boolean }[] };
    }[];
  };
  const alive = pods.items.filter((pod) => !pod.metadata.deletionTimestamp);
  const serving = alive
    .filter((pod) => pod.metadata.labels?.['app.kubernetes.io/name'] && pod.status.phase === 'Running')
    .filter((pod) => pod.status.containerStatuses?.every((c) => c.ready))
    .map((pod) => pod.status.containerStatuses![0].imageID);
  const test = alive
    .filter((pod) => pod.status.phase === 'Succeeded')
    .map((pod) => pod.status.containerStatuses![0].imageID);
  const deployment = (
    await kubectl(cluster, [
      'get',
      'deployment',
      RELEASE,
      '--namespace',
      NAMESPACE,
      '--output',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ])
  ).stdout;
  return { serving, test, deployment };
}

/** Docker's ID of the local image, and the commit its revision label names. */
async function builtImage(reference: string): Promise<{ id: string; revision: string }> {
  const inspect = await runTool(
    'docker',
    [
      'image',
      'inspect',
      '--format',
      '{{.Id}} {{index .Config.Labels "org.opencontainers.image.revision"}}',
      reference,
    ],
    { group: false },
  );
  const [id, revision] = inspect.stdout.trim().split(' ');
  return { id, revision };
}

describe('deliver.yml, started by a pushed release tag', () => {
  test('validates the tag, builds its image, loads it into the local cluster, deploys it and runs helm test', async () => {
    const event = path.join(cacheDir, 'push-v0.1.0.json');
    writeFileSync(event, JSON.stringify({ ref: 'refs/tags/v0.1.0' }));
    const run = await act('deliver v0.1.0 (tag push)', [
      'push',
      '-W',
      '.github/workflows/deliver.yml',
      '-e',
      event,
    ]);

    expect(run.exitCode).toBe(0);
    // publish and deploy-environment are off by default (PUBLISH_IMAGE, DELIVER_ENVIRONMENT unset).
    expect(run.jobs).toEqual({ validate: 'success', deploy: 'success', 'release-note': 'success' });
    cluster = await clusterUp();

    expect(await history()).toEqual([
      expect.objectContaining({ revision: 1, status: 'deployed', app_version: '0.1.0' }),
    ]);
    const image = await builtImage('incidents-service:0.1.0');
    expect(image.revision).toBe(await repo.git('rev-parse', 'v0.1.0^{commit}'));
    const running = await runningImages();
    expect(running.deployment).toBe('incidents-service:0.1.0');
    expect(running.serving).toEqual([image.id, image.id]);
    // helm test ran in the cluster, on the same image, and passed.
    expect(running.test).toEqual([image.id]);
  });
});

describe('deploy.yml, dispatched', () => {
  test('moves the release to another existing version, rebuilt from its tag', async () => {
    await repo.commit('feat: the next release');
    await repo.tag('v0.2.0', 'Release v0.2.0');
    const run = await act('deploy 0.2.0 (dispatch)', [
      'workflow_dispatch',
      '-W',
      '.github/workflows/deploy.yml',
      '--input',
      'version=0.2.0',
    ]);

    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ resolve: 'success', deploy: 'success' });
    expect(await history()).toEqual([
      expect.objectContaining({ revision: 1, status: 'superseded', app_version: '0.1.0' }),
      expect.objectContaining({ revision: 2, status: 'deployed' }),
    ]);
    const image = await builtImage('incidents-service:0.2.0');
    expect(image.revision).toBe(await repo.git('rev-parse', 'v0.2.0^{commit}'));
    expect(image.id).not.toBe((await builtImage('incidents-service:0.1.0')).id);
    const running = await runningImages();
    expect(running.deployment).toBe('incidents-service:0.2.0');
    expect(running.serving).toEqual([image.id, image.id]);
  });

  test('refuses a version that has no tag, and the release stays where it was', async () => {
    const run = await act('deploy 9.9.9 (no such tag)', [
      'workflow_dispatch',
      '-W',
      '.github/workflows/deploy.yml',
      '--input',
      'version=9.9.9',
    ]);

    expect(run.exitCode).not.toBe(0);
    expect(run.jobs).toEqual({ resolve: 'failure' });
    expect(run.output).toContain('tag v9.9.9 does not exist; deliver.yml creates the release first');
    expect((await history()).map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
  });
});
