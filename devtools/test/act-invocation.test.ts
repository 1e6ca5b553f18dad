import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { dotenvLine, moveCredentialsToFiles } from '../act/credential-files.js';
import { actInvocation, defaultBranchOf, flagValue, PROJECT } from '../act/invocation.js';
import { TestRepo } from '@incidents-pipeline/test-support/git-repo';

/**
 * How `npm run act` calls act, checked without running act: the arguments and files it hands over.
 * That act reads the files back as the same values was checked with act 0.2.89 itself (docs/act.md).
 */

// actInvocation runs actionlint over the workflow it is given.
jest.setTimeout(60_000);

const repos: TestRepo[] = [];
const cleanups: (() => void)[] = [];
afterAll(() => {
  repos.forEach((r) => r.cleanup());
  cleanups.forEach((c) => c());
});

describe('the default branch act reports (github.event.repository.default_branch)', () => {
  test("is the branch origin's HEAD names in a clone, else main; act alone would say master", async () => {
    const repo = await TestRepo.init();
    repos.push(repo);
    await repo.commit('chore: start');
    expect(await defaultBranchOf(repo.dir)).toBe('main');
    await repo.git('update-ref', 'refs/remotes/origin/trunk', 'HEAD');
    await repo.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    expect(await defaultBranchOf(repo.dir)).toBe('trunk');
  });
});

describe('secrets reach act through a private file, never its argv', () => {
  const KUBECONFIG_B64 = Buffer.from('apiVersion: v1\nkind: Config\n# deployer-token-5f2c\n').toString(
    'base64',
  );
  const PASSWORD = 'registry-pa$$word-77';

  test('-s NAME=value and credential --vars go to 0600 files in a 0700 directory, removed afterwards', async () => {
    const cache = tempDir('act-invocation-cache-');
    cleanups.push(cache.cleanup);
    const invocation = await actInvocation(
      [
        'workflow_dispatch',
        '-W',
        '.github/workflows/daily-job.yml',
        '-s',
        `KUBECONFIG_B64=${KUBECONFIG_B64}`,
        '--var',
        `REGISTRY_PASSWORD=${PASSWORD}`,
        '--var',
        'IMAGE_REGISTRY=127.0.0.1:5000/acme',
        // From act's environment: no value in argv to move.
        '-s',
        'DAILY_JOB_TOKEN',
      ],
      { cwd: PROJECT, env: { ...process.env, INCIDENTS_ACT_CACHE: cache.dir } },
    );
    try {
      const argv = invocation.args.join(' ');
      expect(argv).not.toContain(KUBECONFIG_B64);
      expect(argv).not.toContain(PASSWORD);
      // What is no credential stays visible, and so does a secret act takes from its environment.
      expect(argv).toContain('--var IMAGE_REGISTRY=127.0.0.1:5000/acme');
      expect(argv).toContain('-s DAILY_JOB_TOKEN');
      const secretFile = flagValue(invocation.args, '--secret-file', '--secret-file')!;
      const varFile = flagValue(invocation.args, '--var-file', '--var-file')!;
      expect(path.dirname(secretFile)).toBe(path.dirname(varFile));
      expect(statSync(path.dirname(secretFile)).mode & 0o777).toBe(0o700);
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      expect(statSync(varFile).mode & 0o777).toBe(0o600);
      // The default empty GITHUB_TOKEN moved too: left as a flag it would win over a value in the file.
      expect(readFileSync(secretFile, 'utf8')).toBe(`GITHUB_TOKEN=''\nKUBECONFIG_B64='${KUBECONFIG_B64}'\n`);
      expect(readFileSync(varFile, 'utf8')).toBe(`REGISTRY_PASSWORD='${PASSWORD}'\n`);
    } finally {
      invocation.removeCredentials();
    }
    expect(existsSync(path.dirname(flagValue(invocation.args, '--secret-file', '--secret-file')!))).toBe(
      false,
    );
  });

  test("a file the caller names is read first and its flag replaced, so the caller's -s still wins", () => {
    const work = tempDir('act-invocation-work-');
    cleanups.push(work.cleanup);
    writeFileSync(path.join(work.dir, 'staging.secrets'), 'KUBECONFIG_B64=from-the-file\nOTHER=kept\n');
    writeFileSync(path.join(work.dir, '.vars'), 'PUBLISH_IMAGE=true\n');
    const moved = moveCredentialsToFiles(
      [
        'push',
        '--secret-file',
        'staging.secrets',
        '-s',
        'kubeconfig_b64=given',
        '--var=API_TOKEN=t0ken-value',
      ],
      work.dir,
    );
    try {
      expect(moved.args).toEqual([
        'push',
        '--secret-file',
        path.join(moved.dir!, 'secrets.env'),
        '--var-file',
        path.join(moved.dir!, 'vars.env'),
      ]);
      // Later lines win in act's reader, as a flag wins over the file.
      expect(readFileSync(path.join(moved.dir!, 'secrets.env'), 'utf8')).toBe(
        "KUBECONFIG_B64=from-the-file\nOTHER=kept\n\nKUBECONFIG_B64='given'\n",
      );
      // act's default .vars in the working directory is read first too.
      expect(readFileSync(path.join(moved.dir!, 'vars.env'), 'utf8')).toBe(
        "PUBLISH_IMAGE=true\n\nAPI_TOKEN='t0ken-value'\n",
      );
    } finally {
      moved.remove();
    }
    expect(existsSync(moved.dir!)).toBe(false);
  });

  test('nothing to move leaves the arguments as they were and writes nothing', () => {
    const moved = moveCredentialsToFiles(
      ['push', '-s', 'DAILY_JOB_TOKEN', '--var', 'PUBLISH_IMAGE=true'],
      PROJECT,
    );
    expect(moved).toMatchObject({
      args: ['push', '-s', 'DAILY_JOB_TOKEN', '--var', 'PUBLISH_IMAGE=true'],
      dir: undefined,
    });
  });

  test.each([
    ['plain', 'abc', "X='abc'"],
    ['multi-line, $ and backslashes stay raw in single quotes', 'a\nb $HOME \\n', "X='a\nb $HOME \\n'"],
    ['a single quote: double quotes, escaped', `it's "$x"\\y\n`, 'X="it\'s \\"\\$x\\"\\\\y\\n"'],
  ])('dotenvLine: %s', (_case, value, line) => {
    expect(dotenvLine('X', value)).toBe(line);
  });

  test('dotenvLine refuses what act could not read back, naming the way out', () => {
    expect(() => dotenvLine('X', "it's\\")).toThrow('pass it as -s X from the environment');
    expect(() => dotenvLine('BAD-NAME', 'v')).toThrow("'BAD-NAME' is not a name act can read");
  });
});
