import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { runBundle } from '@incidents-pipeline/test-support/action-env';
import { ISOLATED_GIT_ENV, TestRepo, withoutIdentity } from '@incidents-pipeline/test-support/git-repo';

jest.setTimeout(120_000);

const bundle = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('committed dist/index.js, started the way the runner starts it', () => {
  const repos: TestRepo[] = [];
  afterAll(() => {
    for (const r of repos) r.cleanup();
  });

  it('computes, tags and pushes the next release', async () => {
    const remote = await TestRepo.init({ bare: true });
    const work = await TestRepo.clone(remote.url);
    repos.push(remote, work);
    await work.commit('feat: first');
    await work.tag('v0.4.0', 'Release v0.4.0');
    await work.commit('fix(api): handle empty file');
    await work.git('push', '--quiet', 'origin', 'main', 'v0.4.0');

    const result = await runBundle(
      bundle,
      { mode: 'next', push: 'true' },
      { ...ISOLATED_GIT_ENV, ...withoutIdentity, GITHUB_WORKSPACE: work.dir },
    );
    expect(result.stderr).toBe('');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      version: '0.4.1',
      tag: 'v0.4.1',
      bump: 'patch',
      'previous-tag': 'v0.4.0',
    });
    expect(result.summary).toContain('Next version: 0.4.1');
    expect(await remote.git('cat-file', '-t', 'refs/tags/v0.4.1')).toBe('tag');
  });

  it('fails the step with the reason for a malformed tag', async () => {
    const work = await TestRepo.init();
    repos.push(work);
    await work.commit('feat: first');
    const result = await runBundle(
      bundle,
      { mode: 'validate' },
      { ...ISOLATED_GIT_ENV, GITHUB_WORKSPACE: work.dir, GITHUB_REF: 'refs/tags/v1.0.0;id' },
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      `input 'tag': "v1.0.0;id" contains ';', which is not allowed in a version or tag`,
    ]);
  });
});
