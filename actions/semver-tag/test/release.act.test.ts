import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { pipelineRepo } from '@incidents-pipeline/devtools/act/pipeline-repo';
import { runAct } from '@incidents-pipeline/devtools/act/run';
import { TestRepo } from '@incidents-pipeline/test-support/git-repo';

/**
 * release.yml under act (issue 15, case 3), in a test repository (pipeline-repo.ts): real git, the
 * workflows and the committed semver-tag bundle of this checkout, a history since the last release,
 * and a bare repository as origin. Only the tag job runs (`-j tag`); the whole workflow, its call of
 * deliver.yml into the local cluster included, runs in actions/lib/test/deliver.act.test.ts.
 */

const cacheDir = tempDir('act-release-').dir;
let repo: TestRepo;
let origin: TestRepo;
const timings: string[] = [];

beforeAll(async () => {
  origin = await TestRepo.init({ bare: true });
  repo = await pipelineRepo();
  await repo.commits('feat: list incidents as JSON', 'fix: count the day of the incident');
  await repo.git('remote', 'add', 'origin', origin.url);
  await repo.git('push', '--quiet', 'origin', 'main', '--follow-tags');
});

afterAll(() => {
  repo?.cleanup();
  origin?.cleanup();
  process.stdout.write(`release.yml under act: ${timings.join(', ')}\n`);
});

const remoteTags = async () => (await origin.git('tag', '--list')).split('\n').filter(Boolean).sort();

const release = async (extra: string[], label: string) => {
  const run = await runAct(
    [
      'workflow_dispatch',
      '-W',
      '.github/workflows/release.yml',
      '-j',
      'tag',
      '--input',
      'bump=auto',
      ...extra,
    ],
    { cwd: repo.dir, cacheDir },
  );
  timings.push(`${label} ${(run.durationMs / 1000).toFixed(1)} s`);
  return run;
};

describe('release.yml, the tag job', () => {
  test('by default a local run computes the version and pushes nothing', async () => {
    const run = await release([], 'tag job, no push');
    expect(run.exitCode).toBe(0);
    expect(run.jobs).toEqual({ tag: 'success' });
    expect(await remoteTags()).toEqual(['v0.1.0']);
  });

  test('with ACT_PUSH_TAG the next version from the commits is tagged on HEAD and pushed to origin', async () => {
    const run = await release(['--var', 'ACT_PUSH_TAG=true'], 'tag job, push');
    expect(run.exitCode).toBe(0);
    // The deliver job (deliver.yml, the cluster) did not run.
    expect(run.jobs).toEqual({ tag: 'success' });
    // feat: since v0.1.0, so a minor step.
    expect(await remoteTags()).toEqual(['v0.1.0', 'v0.2.0']);
    expect(await origin.git('rev-parse', 'v0.2.0^{commit}')).toBe(await repo.git('rev-parse', 'HEAD'));
    expect(await origin.git('cat-file', '-t', 'v0.2.0')).toBe('tag');
  });
});
