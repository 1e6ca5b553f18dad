import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DockerClient } from '../src/docker.js';
import { ActionError } from '../src/errors.js';
import { planBuild } from '../src/image.js';
import {
  createStandIns,
  FAKE_DIGEST,
  FAKE_IMAGE_ID,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

const plan = planBuild({
  image: 'incidents-service',
  version: '1.0.0',
  context: 'service',
  metadata: { created: '2026-01-01T00:00:00Z' },
});

let standIns: StandIns | undefined;
let savedBuildkit: string | undefined;
beforeEach(() => {
  // The client respects an explicit DOCKER_BUILDKIT; these tests are about choosing it.
  savedBuildkit = process.env.DOCKER_BUILDKIT;
  delete process.env.DOCKER_BUILDKIT;
});
afterEach(() => {
  standIns?.cleanup();
  standIns = undefined;
  if (savedBuildkit !== undefined) process.env.DOCKER_BUILDKIT = savedBuildkit;
});

const clientWith = (state: StandInState) => {
  standIns = createStandIns(['docker'], state);
  return new DockerClient({ env: standIns.env });
};

describe('DockerClient.build', () => {
  it('uses the classic builder when buildx is missing, and reads the image id file', async () => {
    const docker = clientWith({ buildx: false });
    const result = await docker.build(plan, { sourceDateEpoch: '1767225600' });
    expect(result).toMatchObject({ imageId: FAKE_IMAGE_ID, builder: 'classic' });
    const build = standIns!.calls().find((c) => c.args[0] === 'build')!;
    expect(build.env).toEqual({ DOCKER_BUILDKIT: '0', SOURCE_DATE_EPOCH: '1767225600' });
    expect(build.args).toContain('--iidfile');
    expect(build.args.at(-1)).toBe('service');
  });

  it('uses BuildKit when buildx is there', async () => {
    const docker = clientWith({ buildx: true });
    expect((await docker.build(plan)).builder).toBe('buildkit');
    expect(standIns!.calls().find((c) => c.args[0] === 'build')!.env.DOCKER_BUILDKIT).toBe('1');
  });

  it('respects an explicit DOCKER_BUILDKIT without probing for buildx', async () => {
    standIns = createStandIns(['docker'], { buildx: true });
    const docker = new DockerClient({ env: { ...standIns.env, DOCKER_BUILDKIT: '0' } });
    expect((await docker.build(plan)).builder).toBe('classic');
    expect(standIns.calls().map((c) => c.args[0])).toEqual(['build']);
  });
});

describe('DockerClient daemon and registry', () => {
  it('says plainly when the daemon cannot be reached', async () => {
    const docker = clientWith({ dockerDown: true });
    const error = await docker.serverVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toMatch(
      /^cannot reach the Docker daemon \(Cannot connect to the Docker daemon .*\); start Docker/,
    );
  });

  // A stand-in on purpose: the real registry gives one image the same digest in every repository,
  // so it cannot produce an image whose repositories disagree (one pushed earlier to another registry
  // that stored other layers). Pushing and the digest itself are proven in push.e2e.test.ts.
  it('picks the digest of the pushed repository, not simply the first one', async () => {
    const docker = clientWith({
      images: ['ghcr.io/acme/incidents-service:1.0.0'],
      pushed: ['ghcr.io/acme/incidents-service:1.0.0'],
    });
    expect(
      await docker.repoDigest('ghcr.io/acme/incidents-service:1.0.0', 'ghcr.io/acme/incidents-service'),
    ).toBe(FAKE_DIGEST);
    expect(standIns!.calls().map((c) => c.args.slice(0, 2))).toEqual([['image', 'inspect']]);
  });
});
