import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { projectRepo } from '@incidents-pipeline/devtools/act/pipeline-repo';
import { runAct, type ActRun } from '@incidents-pipeline/devtools/act/run';
import { ensureTestBaseImage } from '@incidents-pipeline/devtools/base-image/base-image';
import { TestRepo } from '@incidents-pipeline/test-support/git-repo';
import { startTestRegistry, type TestRegistry } from '@incidents-pipeline/devtools/registry/registry';
import { DockerClient } from '../src/docker.js';
import { runTool } from '../src/process.js';
import {
  allowRegistry,
  clusterDown,
  clusterUp,
  helm,
  kubectl,
  releaseHistory,
  type ClusterEnv,
} from './cluster/scenario.js';

/**
 * The delivery workflows under act against the local cluster, in the order a team uses them:
 * - deliver.yml on a pushed tag (issue 15, case 4): validate, build, load into the cluster, deploy,
 *   helm test, and publish to the registry;
 * - deploy.yml dispatched for an existing version on the kind target (case 5);
 * - the lasting `staging` environment (issue 16): the local cluster plays a cluster that outlives the
 *   runs, reached only through the environment's KUBECONFIG_B64 secret, which holds the kubeconfig of
 *   the least-privilege deployer of docs/examples, made by the commands of docs/environments.md. A real
 *   registry on loopback plays GHCR: deliver.yml pushes there, and the cluster's containerd pulls the
 *   image by the digest deploy.yml resolves. Deploy A, deploy B, roll back to A, fail a broken C (A
 *   keeps serving), and a deploy that needs more than the Role allows is refused.
 * - deliver.yml's own hand-over to staging (issue 24): the secret reaches deploy.yml only because the
 *   caller passes it on by name, as GitHub requires.
 * The repository is this project as git sees it (projectRepo); our actions run from their bundles.
 * Every case asserts on the cluster and the registry: revisions, and the image each pod runs.
 */

const RELEASE = 'incidents-service';
const KIND_NS = 'incidents';
const STAGING_NS = 'staging';
const OWNER = 'acme';
const cacheDir = tempDir('act-deliver-').dir;
let repo: TestRepo;
let registry: TestRegistry;
let baseImage: string;
let cluster: ClusterEnv;
let deployerKubeconfigB64: string;
const timings: string[] = [];

beforeAll(async () => {
  // An empty cluster: what an earlier test file deployed must not decide this one.
  await clusterDown();
  cluster = await clusterUp();
  baseImage = (await ensureTestBaseImage()).image;
  registry = await startTestRegistry();
  // The cluster's containerd refuses every registry unless told otherwise (cluster/runtime.ts).
  await allowRegistry(registry.host);
  repo = await projectRepo();
  deployerKubeconfigB64 = Buffer.from(await deployerKubeconfig(STAGING_NS)).toString('base64');
}, 10 * 60_000);

afterAll(async () => {
  repo?.cleanup();
  await registry?.stop();
  process.stdout.write(`delivery workflows under act: ${timings.join(', ')}\n`);
});

/**
 * What docs/environments.md has an admin do once per cluster: the namespace, the example's
 * ServiceAccount, Role, RoleBinding and token Secret applied there, and the example kubeconfig filled in.
 */
async function deployerKubeconfig(namespace: string): Promise<string> {
  const example = (file: string) =>
    readFileSync(new URL(`../../../docs/examples/${file}`, import.meta.url), 'utf8').replaceAll(
      'namespace: incidents',
      `namespace: ${namespace}`,
    );
  await kubectl(cluster, ['create', 'namespace', namespace]);
  await kubectl(cluster, ['apply', '-f', '-'], example('deployer-rbac.yaml'));
  const field = (jsonpath: string) =>
    kubectl(cluster, [
      'get',
      'secret',
      'incidents-deployer-token',
      '-n',
      namespace,
      '-o',
      `jsonpath=${jsonpath}`,
    ]);
  // The token controller fills the Secret moments after it is created.
  for (let i = 0; i < 60 && (await field('{.data.token}')).stdout === ''; i++) await sleep(500);
  const server = (
    await kubectl(cluster, [
      'config',
      'view',
      '--minify',
      '--output',
      'jsonpath={.clusters[0].cluster.server}',
    ])
  ).stdout;
  const ca = (await field('{.data.ca\\.crt}')).stdout;
  const token = Buffer.from((await field('{.data.token}')).stdout, 'base64').toString();
  expect([server, ca, token].map((v) => v !== '')).toEqual([true, true, true]);
  return example('deployer-kubeconfig.yaml')
    .replaceAll('SERVER', server)
    .replaceAll('CA_DATA', ca)
    .replaceAll('TOKEN', token);
}

/** act in the test repository, with what every run here shares. */
async function act(label: string, args: string[]): Promise<ActRun> {
  const run = await runAct(
    [
      // No registry here serves the Dockerfile's base image.
      '--var',
      `BASE_IMAGE=${baseImage}`,
      '--var',
      'PUBLISH_IMAGE=true',
      '--var',
      `IMAGE_REGISTRY=${registry.host}/${OWNER}`,
      '--var',
      `KUBE_NAMESPACE=${STAGING_NS}`,
      '-s',
      `KUBECONFIG_B64=${deployerKubeconfigB64}`,
      // Last, so a case's own --var wins (act keeps the last value).
      ...args,
    ],
    { cwd: repo.dir, cacheDir },
  );
  timings.push(`${label} ${(run.durationMs / 1000).toFixed(1)} s`);
  return run;
}

async function pushTag(tag: string): Promise<ActRun> {
  const event = path.join(cacheDir, `push-${tag}.json`);
  // As GitHub's payload does: validate checks that the tag's commit is on the default branch.
  writeFileSync(event, JSON.stringify({ ref: `refs/tags/${tag}`, repository: { default_branch: 'main' } }));
  return act(`deliver ${tag} (tag push)`, ['push', '-W', '.github/workflows/deliver.yml', '-e', event]);
}

const dispatch = (label: string, workflow: string, inputs: Record<string, string>) =>
  act(label, [
    'workflow_dispatch',
    '-W',
    `.github/workflows/${workflow}`,
    ...Object.entries(inputs).flatMap(([key, value]) => ['--input', `${key}=${value}`]),
  ]);

/** `REVISION STATUS` per revision (the version is the image's: see `running`, not the chart's appVersion). */
const statuses = async (namespace: string) =>
  (await releaseHistory(cluster, namespace, RELEASE)).map((r) => `${r.revision} ${r.status}`);

/** The image IDs the release's serving pods run, the helm test pod's, and the Deployment's image. */
async function running(
  namespace: string,
): Promise<{ serving: string[]; test: string[]; deployment: string }> {
  const pods = JSON.parse(
    (await kubectl(cluster, ['get', 'pods', '--namespace', namespace, '--output', 'json'])).stdout,
  ) as {
    items: {
      metadata: { labels?: Record<string, string>; deletionTimestamp?: string };
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
      namespace,
      '--output',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ])
  ).stdout;
  return { serving, test, deployment };
}

/** Docker's ID of a local image, and the commit its revision label names. */
async function builtImage(reference: string): Promise<{ id: string; revision: string }> {
  const { id, labels } = await new DockerClient().inspectImage(reference);
  return { id, revision: labels['org.opencontainers.image.revision'] };
}

const published = (version: string) => registry.manifestDigest(`${OWNER}/incidents-service`, version);
const repository = () => `${registry.host}/${OWNER}/incidents-service`;

describe('deliver.yml, started by a pushed release tag', () => {
  test('validates the tag, builds its image, deploys it into the cluster with helm test, and publishes it', async () => {
    const run = await pushTag('v0.1.0');

    expect(run.exitCode).toBe(0);
    // deploy-environment is off: DELIVER_ENVIRONMENT is unset, so the target is kind alone.
    expect(run.jobs).toEqual({
      validate: 'success',
      deploy: 'success',
      publish: 'success',
      'release-note': 'success',
    });
    expect(await statuses(KIND_NS)).toEqual(['1 deployed']);
    const image = await builtImage('incidents-service:0.1.0');
    expect(image.revision).toBe(await repo.git('rev-parse', 'v0.1.0^{commit}'));
    const now = await running(KIND_NS);
    expect(now.deployment).toBe('incidents-service:0.1.0');
    expect(now.serving).toEqual([image.id, image.id]);
    // helm test ran in the cluster, on the same image, and passed.
    expect(now.test).toEqual([image.id]);
    // The publish job pushed every tag, and the digest it reported is the registry's.
    expect(await registry.tags(`${OWNER}/incidents-service`)).toEqual(
      expect.arrayContaining(['0.1.0', '0.1', `sha-${image.revision.slice(0, 7)}`]),
    );
    expect(run.output).toContain(`digest=${await published('0.1.0')}`);
  });

  test('delivers the next tag the same way', async () => {
    await repo.commit('feat: the next release');
    await repo.tag('v0.2.0', 'Release v0.2.0');
    const run = await pushTag('v0.2.0');

    expect(run.exitCode).toBe(0);
    expect(await statuses(KIND_NS)).toEqual(['1 superseded', '2 deployed']);
    expect((await running(KIND_NS)).deployment).toBe('incidents-service:0.2.0');
    expect(await published('0.2.0')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await published('0.2.0')).not.toBe(await published('0.1.0'));
  });
});

describe('deploy.yml, dispatched for the kind target', () => {
  test('moves the release to another existing version, rebuilt from its tag', async () => {
    const run = await dispatch('deploy 0.1.0 to kind', 'deploy.yml', { version: '0.1.0' });

    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ resolve: 'success', deploy: 'success' });
    expect((await statuses(KIND_NS)).at(-1)).toBe('3 deployed');
    const image = await builtImage('incidents-service:0.1.0');
    expect(image.revision).toBe(await repo.git('rev-parse', 'v0.1.0^{commit}'));
    const now = await running(KIND_NS);
    expect(now.deployment).toBe('incidents-service:0.1.0');
    expect(now.serving).toEqual([image.id, image.id]);
  });

  test('refuses a version that has no tag, before anything is built, and the release stays', async () => {
    const run = await dispatch('deploy 9.9.9 (no such tag)', 'deploy.yml', { version: '9.9.9' });

    expect(run.exitCode).not.toBe(0);
    expect(run.jobs).toEqual({ resolve: 'failure' });
    expect(run.output).toContain('tag v9.9.9 does not exist; deliver.yml creates the release first');
    expect((await statuses(KIND_NS)).at(-1)).toBe('3 deployed');
  });
});

describe('the lasting staging environment, through the deployer kubeconfig secret', () => {
  /** The published image of a version, by the digest the registry gave it, in every serving pod. */
  async function expectServing(version: string): Promise<void> {
    const digest = await published(version);
    const now = await running(STAGING_NS);
    expect(now.deployment).toBe(`${repository()}:${version}@${digest}`);
    expect(now.serving.length).toBeGreaterThan(0);
    for (const id of now.serving) expect(id).toBe(`${repository()}@${digest}`);
  }

  test('deploys A, pulled by its digest from the registry', async () => {
    const run = await dispatch('deploy A to staging', 'deploy.yml', {
      version: '0.1.0',
      environment: 'staging',
    });
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ resolve: 'success', 'deploy-environment': 'success' });
    expect(await statuses(STAGING_NS)).toEqual(['1 deployed']);
    await expectServing('0.1.0');
    // The secret never reaches the log.
    expect(run.output).not.toContain(deployerKubeconfigB64);
  });

  test('deploys B over it', async () => {
    const run = await dispatch('deploy B to staging', 'deploy.yml', {
      version: '0.2.0',
      environment: 'staging',
    });
    expect(run.exitCode).toBe(0);
    expect(await statuses(STAGING_NS)).toEqual(['1 superseded', '2 deployed']);
    await expectServing('0.2.0');
  });

  test('rollback.yml returns to the previous revision, A', async () => {
    const run = await dispatch('rollback staging', 'rollback.yml', { environment: 'staging' });
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ rollback: 'success' });
    expect((await statuses(STAGING_NS)).at(-1)).toBe('3 deployed');
    await expectServing('0.1.0');
  });

  test('a broken C fails its helm test, is rolled back, and A keeps serving', async () => {
    // C starts and is ready, but answers every request with "ok": published, it gets as far as the
    // rollout, and helm test finds it out.
    const server =
      "require('node:http').createServer((q, s) => s.end('ok\\n')).listen(Number(process.env.PORT || 3000))";
    const dir = tempDir('broken-image-');
    writeFileSync(
      path.join(dir.dir, 'Dockerfile'),
      `FROM ${repository()}:0.1.0\nCMD ${JSON.stringify(['node', '-e', server])}\n`,
    );
    await runTool('docker', ['build', '--quiet', '--tag', `${repository()}:0.3.0`, dir.dir], {
      group: false,
    });
    await runTool('docker', ['push', '--quiet', `${repository()}:0.3.0`], { group: false });
    dir.cleanup();
    await repo.commit('fix: a release that answers nonsense');
    await repo.tag('v0.3.0', 'Release v0.3.0');

    const run = await dispatch('deploy broken C to staging', 'deploy.yml', {
      version: '0.3.0',
      environment: 'staging',
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.jobs).toEqual({ resolve: 'success', 'deploy-environment': 'failure' });
    expect(run.output).toContain(
      'smoke test of incidents-service revision 4 failed (rolled back to revision 3)',
    );
    expect(await statuses(STAGING_NS)).toEqual([
      '1 superseded',
      '2 superseded',
      '3 superseded',
      '4 superseded',
      '5 deployed',
    ]);
    await expectServing('0.1.0');
  });

  test('a deploy that needs more than the deployer Role is refused, and says what was forbidden', async () => {
    // The Role is the staging namespace's alone: another namespace is out of its reach.
    const run = await act('deploy to a namespace the Role does not cover', [
      'workflow_dispatch',
      '-W',
      '.github/workflows/deploy.yml',
      '--input',
      'version=0.1.0',
      '--input',
      'environment=staging',
      '--var',
      'KUBE_NAMESPACE=default',
    ]);
    expect(run.exitCode).not.toBe(0);
    expect(run.jobs).toEqual({ resolve: 'success', 'deploy-environment': 'failure' });
    expect(run.output).toMatch(/forbidden: User "system:serviceaccount:staging:incidents-deployer" cannot/);
    expect((await helm(cluster, ['list', '--namespace', 'default', '--short'])).stdout.trim()).toBe('');
  });
});

describe('release.yml, the whole workflow', () => {
  test('tags the next version, pushes the tag, and delivers it through deliver.yml', async () => {
    const origin = await TestRepo.init({ bare: true });
    try {
      await repo.git('remote', 'add', 'origin', origin.url);
      await repo.commit('feat: a release delivered end to end');
      const run = await act('release.yml (tag, push, deliver)', [
        'workflow_dispatch',
        '-W',
        '.github/workflows/release.yml',
        '--input',
        'bump=auto',
        '--var',
        'ACT_PUSH_TAG=true',
      ]);

      expect(run.exitCode).toBe(0);
      expect(Object.values(run.jobs).every((result) => result === 'success')).toBe(true);
      expect(Object.keys(run.jobs).length).toBeGreaterThanOrEqual(4);
      // feat: since v0.3.0, so a minor step, tagged on HEAD and pushed.
      expect(await origin.git('tag', '--list', 'v0.4.0')).toBe('v0.4.0');
      expect(await origin.git('rev-parse', 'v0.4.0^{commit}')).toBe(await repo.git('rev-parse', 'HEAD'));
      const image = await builtImage('incidents-service:0.4.0');
      expect(image.revision).toBe(await repo.git('rev-parse', 'HEAD'));
      expect((await statuses(KIND_NS)).at(-1)).toMatch(/ deployed$/);
      const now = await running(KIND_NS);
      expect(now.deployment).toBe('incidents-service:0.4.0');
      expect(now.serving).toEqual([image.id, image.id]);
      expect(await published('0.4.0')).toMatch(/^sha256:/);
    } finally {
      // The hand-over below delivers v0.4.0 again from this repository: it keeps the tag the tag job
      // pushed, and forgets the origin that goes away here.
      await repo.git('fetch', '--quiet', origin.url, 'refs/tags/v0.4.0:refs/tags/v0.4.0').catch(() => '');
      await repo.git('remote', 'remove', 'origin');
      origin.cleanup();
    }
  });
});

describe("deliver.yml's hand-over to the lasting staging environment", () => {
  test('a delivery for staging deploys the published image there through deploy.yml, with the secret it passes on', async () => {
    // v0.4.0 is the newest release (release.yml above), and staging runs 0.1.0 since C was rolled back.
    const before = (await statuses(STAGING_NS)).length;
    const run = await dispatch('deliver 0.4.0 to staging (hand-over)', 'deliver.yml', {
      version: '0.4.0',
      environment: 'staging',
    });

    expect(run.exitCode).toBe(0);
    expect(Object.values(run.jobs).every((result) => result === 'success')).toBe(true);
    // The called deploy.yml got KUBECONFIG_B64 only because deliver.yml passes it on by name: without
    // the mapping it would be empty there and the kubeconfig step would fail the run.
    expect(await statuses(STAGING_NS)).toHaveLength(before + 1);
    expect((await statuses(STAGING_NS)).at(-1)).toMatch(/ deployed$/);
    const digest = await published('0.4.0');
    const now = await running(STAGING_NS);
    expect(now.deployment).toBe(`${repository()}:0.4.0@${digest}`);
    expect(now.serving.length).toBeGreaterThan(0);
    for (const id of now.serving) expect(id).toBe(`${repository()}@${digest}`);
    expect(run.output).not.toContain(deployerKubeconfigB64);
  });
});
