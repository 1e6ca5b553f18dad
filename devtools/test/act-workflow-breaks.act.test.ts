import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { PROJECT } from '../act/invocation.js';
import { pipelineRepo } from '../act/pipeline-repo.js';
import { runAct } from '../act/run.js';
import type { TestRepo } from '@incidents-pipeline/test-support/git-repo';

/**
 * Workflow changes that would break a run on GitHub in a way act itself does not notice stop a local
 * run (issue 15, "Done when"). Each case breaks a copy of a workflow in a test repository and runs it
 * through `npm run act`'s entry point, next to the same copy unbroken.
 */

const MAIN = path.join(PROJECT, 'devtools/act/main.ts');
const TSX = path.join(PROJECT, 'node_modules/.bin/tsx');
const cacheDir = tempDir('act-breaks-').dir;
let repo: TestRepo;

beforeAll(async () => {
  repo = await pipelineRepo();
});

afterAll(() => repo?.cleanup());

/** A copy of `.github/workflows/<file>` in the test repository with `from` replaced by `to`. */
function variant(file: string, name: string, from: string, to: string): string {
  const text = readFileSync(path.join(repo.dir, '.github/workflows', file), 'utf8');
  expect(text).toContain(from);
  const relative = `.github/workflows/${name}`;
  writeFileSync(path.join(repo.dir, relative), text.replace(from, to));
  return relative;
}

/** `npm run act -- <args>` as typed in the test repository. */
const npmRunAct = (args: string[]) =>
  execa(TSX, [MAIN, ...args], {
    cwd: repo.dir,
    env: { INIT_CWD: repo.dir, INCIDENTS_ACT_CACHE: cacheDir },
    reject: false,
    all: true,
  });

describe('npm run act stops before act starts', () => {
  test('on a with: key misspelled in deliver.yml', async () => {
    const intact = variant('deliver.yml', 'deliver-intact.yml', 'kind-cluster:', 'kind-cluster:');
    expect((await npmRunAct(['-l', '-W', intact])).exitCode).toBe(0);

    const broken = variant('deliver.yml', 'deliver-misspelled.yml', 'kind-cluster:', 'kind-clutser:');
    const result = await npmRunAct(['-l', '-W', broken]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toContain("with key 'kind-clutser' is not an input");
  });

  test('on a with: key misspelled for a pinned third-party action (checked against its stand-in)', async () => {
    const broken = variant(
      'deliver.yml',
      'deliver-misspelled-pin.yml',
      'package-manager-cache:',
      'package-manager-cahce:',
    );
    const result = await npmRunAct(['-l', '-W', broken]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toContain("with key 'package-manager-cahce' is not an input");
  });

  test('on a broken output reference between jobs', async () => {
    const from = 'version: ${{ needs.tag.outputs.version }}';
    const intact = variant('release.yml', 'release-intact.yml', from, from);
    expect((await npmRunAct(['-l', '-W', intact])).exitCode).toBe(0);

    const broken = variant(
      'release.yml',
      'release-broken-output.yml',
      from,
      'version: ${{ needs.tag.outputs.versoin }}',
    );
    const result = await npmRunAct(['-l', '-W', broken]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/property "versoin" is not defined/);
  });
});

describe('a run fails', () => {
  test('when the env.ACT guard is removed from a checkout with a ref', async () => {
    const guarded = '      - if: ${{ !env.ACT }}\n        uses: actions/checkout@';
    const broken = variant(
      'deliver.yml',
      'deliver-unguarded.yml',
      guarded,
      '      - uses: actions/checkout@',
    );
    const run = await runAct(
      ['workflow_dispatch', '-W', broken, '-j', 'deploy', '--input', 'version=0.1.0'],
      {
        cwd: repo.dir,
        cacheDir,
      },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.jobs).toEqual({ validate: 'success', deploy: 'failure' });
    // It stops at the checkout, before anything is built or deployed.
    expect(run.steps.filter((s) => s.jobId === 'deploy')).toEqual([
      { jobId: 'deploy', step: expect.stringMatching(/^actions\/checkout@/), result: 'failure' },
    ]);
  });
});
