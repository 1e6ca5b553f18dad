import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { runAction } from '@incidents-pipeline/actions-lib/action';
import { runInProcess } from '@incidents-pipeline/test-support/action-env';
import { TestRepo } from '@incidents-pipeline/test-support/git-repo';
import {
  createStandIns,
  FAKE_IMAGE_ID,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';
import { run } from '../src/main.js';

// Each case starts several stand-in processes (node), which takes seconds on a busy machine.
jest.setTimeout(60_000);

/** The checkout: the commit at HEAD is what the sha- tag and the revision label must name. */
let repo: TestRepo;
let SHA: string;
/** A commit on the branch after the release tag, where a dispatched run's GITHUB_SHA points. */
let BRANCH_SHA: string;
let workspace: { dir: string; cleanup: () => void };
let context: string;
let standIns: StandIns | undefined;

beforeAll(async () => {
  repo = await TestRepo.init();
  workspace = { dir: repo.dir, cleanup: () => repo.cleanup() };
  context = path.join(workspace.dir, 'service');
  mkdirSync(context);
  writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n');
  SHA = await repo.commit('feat: the service');
  await repo.tag('v2.1.0', 'Release v2.1.0');
  BRANCH_SHA = await repo.commit('docs: after the release');
  await repo.git('checkout', '--quiet', '--detach', 'v2.1.0');
});
afterAll(() => workspace.cleanup());
afterEach(() => {
  standIns?.cleanup();
  standIns = undefined;
});

/** Runs the action with stand-in docker and kind first on PATH, as a workflow on a tag push would. */
function runWith(inputs: Record<string, string>, state: StandInState = {}) {
  // A runner without buildx (classic builder) and with the `incidents` kind cluster.
  standIns = createStandIns(['docker', 'kind'], { buildx: false, clusters: ['incidents'], ...state });
  return runInProcess(
    () => runAction(run),
    { context, ...inputs },
    {
      ...standIns.env,
      // As on a run dispatched on a branch that checked out the release tag.
      GITHUB_SHA: BRANCH_SHA,
      SOURCE_DATE_EPOCH: '1767225600',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/incidents',
      DOCKER_BUILDKIT: undefined,
    },
    { cwd: workspace.dir },
  );
}

const PRIVATE_PEM =
  '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----';

describe('build-image refuses bad input before running anything', () => {
  it.each([
    [{ version: 'v1.2.3' }, /input 'version'/],
    [{ version: 'not-a-version' }, /input 'version'.*not a strict semantic version/],
    [{ version: '1.2.3+meta' }, /input 'version'.*build metadata/],
    [{ version: '1.2.3', push: 'true' }, /input 'registry': is required when push is true/],
    [{ version: '1.2.3', 'kind-cluster': 'Bad Name' }, /input 'kind-cluster'/],
    [{ version: '1.2.3', 'build-args': 'not a pair' }, /input 'build-args'/],
    [
      { version: '1.2.3', 'sign-key': PRIVATE_PEM },
      /input 'sign-key': signs the pushed digest, so it needs push: true/,
    ],
    [
      { version: '1.2.3', push: 'true', registry: 'ghcr.io/acme', 'sign-key': 'not a key' },
      /input 'sign-key': is not a PEM private key/,
    ],
  ])('%j', async (inputs, message) => {
    const result = await runWith(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(message);
    expect(standIns!.calls()).toEqual([]);
    expect(result.outputs).toEqual({});
  });
});

describe('build-image', () => {
  // Pushing is proven against the real registry (push.e2e.test.ts); kind needs these stand-ins.
  it('builds with the build args and labels, names the tags for the registry and loads them into kind', async () => {
    const result = await runWith({
      version: '2.1.0',
      registry: 'ghcr.io/Acme',
      'kind-cluster': 'incidents',
      'build-args': 'BASE_IMAGE=incidents-test-base:bookworm-node24',
      labels: 'team=sre',
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const tags = [
      'ghcr.io/acme/incidents-service:2.1.0',
      'ghcr.io/acme/incidents-service:2.1',
      'ghcr.io/acme/incidents-service:2',
      `ghcr.io/acme/incidents-service:sha-${SHA.slice(0, 7)}`,
    ];
    expect(result.outputs).toEqual({
      image: 'ghcr.io/acme/incidents-service',
      tags: tags.join('\n'),
      'image-id': FAKE_IMAGE_ID,
      digest: '',
      signed: 'false',
    });

    const calls = standIns!.calls();
    const build = calls.find((c) => c.args[0] === 'build')!;
    expect(build.args).toEqual(
      expect.arrayContaining([
        'BASE_IMAGE=incidents-test-base:bookworm-node24',
        'VERSION=2.1.0',
        `REVISION=${SHA}`,
        'CREATED=2026-01-01T00:00:00Z',
        'SOURCE=https://github.com/acme/incidents',
        'org.opencontainers.image.version=2.1.0',
        'team=sre',
      ]),
    );
    expect(build.args.at(-1)).toBe(context);
    expect(build.env).toEqual({ DOCKER_BUILDKIT: '0', SOURCE_DATE_EPOCH: '1767225600' });
    expect(calls.some((c) => c.args[0] === 'push')).toBe(false);
    const order = calls.map((c) => `${c.tool} ${c.args[0]}`);
    expect(order.indexOf('docker build')).toBeLessThan(order.indexOf('kind load'));
    expect(calls.find((c) => c.tool === 'kind' && c.args[0] === 'load')!.args).toEqual([
      'load',
      'docker-image',
      ...tags,
      '--name',
      'incidents',
    ]);

    expect(result.summary).toContain(`ghcr.io/acme/incidents-service:sha-${SHA.slice(0, 7)}`);
    expect(result.summary).toContain('200.0 MiB');
    expect(result.summary).toMatch(/Build time<\/td><td>\d+\.\d s \(classic, Docker 27\.5\.1\)/);
    expect(result.summary).toContain('incidents (kind load docker-image)');
  });

  it('tags a prerelease without moving tags, pushes nothing and loads nothing unless asked', async () => {
    const result = await runWith({ version: '2.2.0-rc.1' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.tags).toBe(
      `incidents-service:2.2.0-rc.1\nincidents-service:sha-${SHA.slice(0, 7)}`,
    );
    expect(result.outputs.digest).toBe('');
    const calls = standIns!.calls();
    expect(calls.some((c) => c.args[0] === 'push')).toBe(false);
    expect(calls.some((c) => c.tool === 'kind')).toBe(false);
  });

  it('fails with the kind error when neither way of loading works', async () => {
    const result = await runWith(
      { version: '2.1.0', 'kind-cluster': 'incidents' },
      { kindDockerImageFails: true, kindArchiveFails: true },
    );
    expect(result.exitCode).toBe(1);
    expect(result.warnings.join('\n')).toMatch(/kind load docker-image failed/);
    expect(result.errors).toEqual([
      'kind load failed (exit 1): failed to load image: no space left on device',
    ]);
    expect(result.outputs).toEqual({});
  });

  it('names a missing build context', async () => {
    const result = await runWith({ version: '2.1.0', context: path.join(workspace.dir, 'nope') });
    expect(result.errors.join('\n')).toMatch(/input 'context': directory .*nope' does not exist/);
    expect(standIns!.calls()).toEqual([]);
  });
});

describe('build-image names the commit the sources come from', () => {
  it("with revision, the tag's commit when the checkout is a later commit", async () => {
    await repo.git('checkout', '--quiet', '--detach', BRANCH_SHA);
    try {
      const result = await runWith({ version: '2.1.0', revision: 'refs/tags/v2.1.0' });
      expect(result.errors).toEqual([]);
      expect(result.outputs.tags.split('\n')).toContain(`incidents-service:sha-${SHA.slice(0, 7)}`);
      const build = standIns!.calls('docker').find((c) => c.args[0] === 'build');
      expect(build?.args).toContain(`org.opencontainers.image.revision=${SHA}`);
    } finally {
      await repo.git('checkout', '--quiet', '--detach', 'v2.1.0');
    }
  });
});
