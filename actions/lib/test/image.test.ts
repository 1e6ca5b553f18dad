import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputError } from '../src/errors.js';
import {
  dockerBuildArgs,
  imageRepository,
  planBuild,
  resolveBuildMetadata,
  type BuildRequest,
} from '../src/image.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { ISOLATED_GIT_ENV } from '@incidents-pipeline/test-support/git-repo';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const request = (overrides: Partial<BuildRequest> = {}): BuildRequest => ({
  image: 'incidents-service',
  version: '1.4.2',
  context: 'service',
  metadata: { revision: SHA, created: '2026-01-02T03:04:05Z', source: 'https://github.com/acme/incidents' },
  ...overrides,
});

describe('planBuild tags', () => {
  it('gives a release its version, major.minor, major and commit tags', () => {
    expect(planBuild(request()).tags).toEqual([
      'incidents-service:1.4.2',
      'incidents-service:1.4',
      'incidents-service:1',
      'incidents-service:sha-0123456',
    ]);
  });

  it('gives a prerelease no moving tags', () => {
    const plan = planBuild(request({ version: '1.5.0-rc.1' }));
    expect(plan.tags).toEqual(['incidents-service:1.5.0-rc.1', 'incidents-service:sha-0123456']);
    expect(plan.isPrerelease).toBe(true);
  });

  it('gives a 0.x release no major tag, since every 0.x minor may break', () => {
    expect(planBuild(request({ version: '0.3.1' })).tags).toEqual([
      'incidents-service:0.3.1',
      'incidents-service:0.3',
      'incidents-service:sha-0123456',
    ]);
  });

  it('never produces latest', () => {
    for (const version of ['0.1.0', '1.0.0', '2.3.4', '3.0.0-beta.2', '10.20.30']) {
      for (const tag of planBuild(request({ version })).tags) expect(tag).not.toMatch(/:latest$/);
    }
  });

  it('has no sha tag when the commit is unknown', () => {
    const plan = planBuild(request({ metadata: { created: '2026-01-02T03:04:05Z' } }));
    expect(plan.tags).toEqual(['incidents-service:1.4.2', 'incidents-service:1.4', 'incidents-service:1']);
    expect(plan.buildArgs).not.toHaveProperty('REVISION');
    expect(plan.labels).not.toHaveProperty('org.opencontainers.image.revision');
  });

  it('prefixes every tag with the registry, lowercased as registries require', () => {
    const plan = planBuild(request({ registry: 'ghcr.io/Acme-Corp/' }));
    expect(plan.repository).toBe('ghcr.io/acme-corp/incidents-service');
    expect(plan.tags.every((t) => t.startsWith('ghcr.io/acme-corp/incidents-service:'))).toBe(true);
    expect(imageRepository('svc', 'localhost:5000')).toBe('localhost:5000/svc');
  });

  it('refuses unusable image names and registries', () => {
    expect(() => imageRepository('incidents-service:latest')).toThrow(/input 'image'.*without tag/);
    expect(() => imageRepository('bad name')).toThrow(/input 'image'/);
    expect(() => imageRepository('svc', 'https://ghcr.io/acme')).toThrow(/input 'registry'/);
  });
});

describe('planBuild refuses a version that is not strict semver', () => {
  it.each(['v1.2.3', '1.2', 'latest', '1.2.3+build.7', '1.2.3\n--push', '01.2.3', '', '1.2.3 '])(
    '%j',
    (version) => {
      const error = (() => {
        try {
          planBuild(request({ version }));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).input).toBe('version');
    },
  );
});

describe('planBuild arguments and labels', () => {
  it('fills the OCI labels and the Dockerfile build args, letting given ones win', () => {
    const plan = planBuild(
      request({
        buildArgs: [
          { key: 'BASE_IMAGE', value: 'node:24-bookworm-slim' },
          { key: 'SOURCE', value: 'mine' },
        ],
        labels: [
          { key: 'team', value: 'sre' },
          { key: 'org.opencontainers.image.source', value: 'https://example.test/x' },
        ],
      }),
    );
    expect(plan.buildArgs).toEqual({
      VERSION: '1.4.2',
      CREATED: '2026-01-02T03:04:05Z',
      REVISION: SHA,
      SOURCE: 'mine',
      BASE_IMAGE: 'node:24-bookworm-slim',
    });
    expect(plan.labels).toEqual({
      'org.opencontainers.image.version': '1.4.2',
      'org.opencontainers.image.created': '2026-01-02T03:04:05Z',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.source': 'https://example.test/x',
      team: 'sre',
    });
    expect(plan.dockerfile).toBe(path.join('service', 'Dockerfile'));
  });

  it('turns a plan into docker build argv with one element per value and the context last', () => {
    const plan = planBuild(
      request({ dockerfile: 'build/Dockerfile', labels: [{ key: 'note', value: 'a b; $(id)' }] }),
    );
    const args = dockerBuildArgs(plan, { iidFile: '/tmp/iid' });
    expect(args.slice(0, 5)).toEqual(['build', '--file', 'build/Dockerfile', '--iidfile', '/tmp/iid']);
    expect(args.at(-1)).toBe('service');
    expect(args.filter((a, i) => args[i - 1] === '--tag')).toEqual(plan.tags);
    expect(args).toContain('note=a b; $(id)');
    expect(args[args.indexOf('VERSION=1.4.2') - 1]).toBe('--build-arg');
    expect(args[args.indexOf('org.opencontainers.image.version=1.4.2') - 1]).toBe('--label');
  });
});

describe('resolveBuildMetadata', () => {
  const commitAt = (dir: string, isoDate: string) => {
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.test',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.test',
      GIT_AUTHOR_DATE: isoDate,
      GIT_COMMITTER_DATE: isoDate,
    };
    execFileSync('git', ['init', '-q', dir], { env });
    writeFileSync(path.join(dir, 'f'), isoDate);
    execFileSync('git', ['-C', dir, 'add', 'f'], { env });
    execFileSync('git', ['-C', dir, 'commit', '-q', '-m', 'c'], { env });
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  };

  it('takes the commit and its time from git, so a rebuild of a commit is identical', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const head = commitAt(dir, '2025-06-07T08:09:10Z');
      const metadata = await resolveBuildMetadata({ cwd: dir, env: {} });
      expect(metadata).toEqual({ revision: head, created: '2025-06-07T08:09:10Z', source: undefined });
    } finally {
      cleanup();
    }
  });

  it('prefers SOURCE_DATE_EPOCH and the workflow repository URL, and the checkout over GITHUB_SHA', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const head = commitAt(dir, '2025-06-07T08:09:10Z');
      const metadata = await resolveBuildMetadata({
        cwd: dir,
        env: {
          GITHUB_SHA: SHA,
          SOURCE_DATE_EPOCH: '1700000000',
          GITHUB_SERVER_URL: 'https://github.com/',
          GITHUB_REPOSITORY: 'acme/incidents',
        },
      });
      expect(metadata).toEqual({
        revision: head,
        created: '2023-11-14T22:13:20Z',
        source: 'https://github.com/acme/incidents',
      });
    } finally {
      cleanup();
    }
  });

  it('takes GITHUB_SHA outside a git checkout', async () => {
    const { dir, cleanup } = tempDir();
    try {
      expect((await resolveBuildMetadata({ cwd: dir, env: { GITHUB_SHA: SHA } })).revision).toBe(SHA);
    } finally {
      cleanup();
    }
  });

  describe('built from a release tag', () => {
    // main has a later commit than the tag; a run dispatched on main has GITHUB_SHA there.
    let origin: { dir: string; cleanup: () => void };
    let tagged: string;
    let later: string;
    beforeAll(() => {
      origin = tempDir();
      tagged = commitAt(origin.dir, '2025-06-07T08:09:10Z');
      execFileSync('git', ['-C', origin.dir, 'tag', 'v0.2.0'], {
        env: { ...process.env, ...ISOLATED_GIT_ENV },
      });
      later = commitAt(origin.dir, '2025-07-01T12:00:00Z');
    });
    afterAll(() => origin.cleanup());

    it("names the tag's commit and date in a shallow checkout of the tag", async () => {
      const shallow = tempDir();
      try {
        execFileSync(
          'git',
          [
            'clone',
            '--quiet',
            '--depth=1',
            '--branch',
            'v0.2.0',
            `file://${origin.dir}`,
            path.join(shallow.dir, 'c'),
          ],
          { env: { ...process.env, ...ISOLATED_GIT_ENV } },
        );
        const metadata = await resolveBuildMetadata({
          cwd: path.join(shallow.dir, 'c'),
          env: { GITHUB_SHA: later },
        });
        expect(metadata).toMatchObject({ revision: tagged, created: '2025-06-07T08:09:10Z' });
        expect(planBuild(request({ metadata })).tags).toContain(
          `incidents-service:sha-${tagged.slice(0, 7)}`,
        );
        expect(planBuild(request({ metadata })).labels['org.opencontainers.image.revision']).toBe(tagged);
      } finally {
        shallow.cleanup();
      }
    });

    it("names the tag's commit when sources exported from the tag are built in a checkout of main", async () => {
      const metadata = await resolveBuildMetadata({
        cwd: origin.dir,
        env: { GITHUB_SHA: later },
        revision: 'refs/tags/v0.2.0',
      });
      expect(metadata).toMatchObject({ revision: tagged, created: '2025-06-07T08:09:10Z' });
    });

    it('refuses a revision the checkout does not have', async () => {
      await expect(
        resolveBuildMetadata({ cwd: origin.dir, env: {}, revision: 'refs/tags/v9.9.9' }),
      ).rejects.toThrow(/input 'revision': 'refs\/tags\/v9\.9\.9' names no commit in this checkout/);
    });
  });

  it('outside git has no revision and uses the current time', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const metadata = await resolveBuildMetadata({ cwd: dir, env: {} });
      expect(metadata.revision).toBeUndefined();
      expect(Date.parse(metadata.created)).toBeGreaterThanOrEqual(before);
    } finally {
      cleanup();
    }
  });

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds', async () => {
    await expect(resolveBuildMetadata({ env: { SOURCE_DATE_EPOCH: 'yesterday' } })).rejects.toThrow(
      /SOURCE_DATE_EPOCH must be whole seconds/,
    );
  });
});
