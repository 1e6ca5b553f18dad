import { afterAll, describe, expect, test } from '@jest/globals';
import { defaultBranchOf } from '../src/testing/act/invocation.js';
import { TestRepo } from '../src/testing/git-repo.js';

/**
 * How `npm run act` calls act, checked without running act: the arguments and files it hands over.
 */

const repos: TestRepo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

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
