import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { TestRepo } from '../git-repo.js';
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
  await repo.git('add', '--all');
  await repo.commit('chore: the pipeline');
  await repo.tag('v0.1.0', 'Release v0.1.0');
  return repo;
}
