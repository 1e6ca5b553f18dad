import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { execa } from 'execa';
import path from 'node:path';
import { TestRepo } from '@incidents-pipeline/test-support/git-repo';
import { PROJECT } from './invocation.js';

/**
 * A real git repository holding this checkout's workflows and actions (action.yml and the committed
 * bundle), committed and released as v0.1.0: a clone as act sees it, with a history the test owns.
 * Workflows can be changed there freely; this checkout's never are.
 */
export async function pipelineRepo(): Promise<TestRepo> {
  const repo = await TestRepo.init();
  const copy = (relative: string) =>
    cpSync(path.join(PROJECT, relative), path.join(repo.dir, relative), { recursive: true });
  copy('.github/workflows');
  // Every action as a workflow runs it: its inputs and its committed bundle.
  for (const action of readdirSync(path.join(PROJECT, 'actions'))) {
    if (!existsSync(path.join(PROJECT, 'actions', action, 'action.yml'))) continue;
    copy(`actions/${action}/action.yml`);
    copy(`actions/${action}/dist`);
  }
  return firstRelease(repo, 'chore: the pipeline');
}

/**
 * A real git repository holding this checkout's whole project as git sees it (tracked files and
 * untracked ones not ignored, as they are on disk, so uncommitted work is what runs), committed and
 * released as v0.1.0: what a clone of the project is for deliver.yml, deploy.yml and ci.yml, which
 * build the service and deploy the chart. node_modules and other ignored files stay out, as in a
 * clone, so the workflows' own `npm ci` runs.
 */
export async function projectRepo(): Promise<TestRepo> {
  const repo = await TestRepo.init();
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT,
  });
  for (const file of String(listed.stdout).split('\0').filter(Boolean)) {
    // A file deleted in the working tree but not yet in the index is gone, as it will be once committed.
    if (!existsSync(path.join(PROJECT, file))) continue;
    mkdirSync(path.dirname(path.join(repo.dir, file)), { recursive: true });
    cpSync(path.join(PROJECT, file), path.join(repo.dir, file), { verbatimSymlinks: true });
  }
  return firstRelease(repo, 'chore: the project');
}

/** Everything in the repository committed, and released as v0.1.0. */
async function firstRelease(repo: TestRepo, message: string): Promise<TestRepo> {
  await repo.git('add', '--all');
  await repo.commit(message);
  await repo.tag('v0.1.0', 'Release v0.1.0');
  return repo;
}
