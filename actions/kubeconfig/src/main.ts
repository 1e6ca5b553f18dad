import * as core from '@actions/core';
import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import {
  checkKubeconfig,
  kubeconfigSecrets,
  kubeconfigText,
  removeKubeconfig,
  writeKubeconfig,
} from '@incidents-pipeline/actions-lib/kubeconfig';
import { InputError } from '@incidents-pipeline/actions-lib/errors';
import { writeSummary } from '@incidents-pipeline/actions-lib/summary';
import { getInputs } from './inputs.js';

/** Saved by the main step; the runner hands state back only to this action's post step. */
const IS_POST = 'isPost';
const FILE = 'kubeconfig-file';

/** One entry for both steps (`runs.main` and `runs.post` are the same bundle): the state tells which. */
export async function run(): Promise<void> {
  if (core.getState(IS_POST) === 'true') return removeAfterJob();
  core.saveState(IS_POST, 'true');

  const source = getInputs();
  // Masks first, before any line is printed or any check can fail: the encoded form, the text, and
  // each credential inside it (line by line, as the runner masks).
  if (source.base64?.trim()) core.setSecret(source.base64.trim());
  const text = kubeconfigText(source);
  core.setSecret(text);
  for (const secret of kubeconfigSecrets(text)) core.setSecret(secret);

  const facts = checkKubeconfig(text, { allowExec: source.allowExec });
  const parent = process.env.RUNNER_TEMP;
  if (!parent) throw new InputError('RUNNER_TEMP', 'is not set: run this action in a workflow job');
  const file = await writeKubeconfig(text, parent);
  try {
    // Saved before anything else can fail, so the post step removes it whatever happens next.
    core.saveState(FILE, file);
    core.exportVariable('KUBECONFIG', file);
    setOutputs({ path: file, context: facts.currentContext });
  } catch (error) {
    await removeKubeconfig(file);
    throw error;
  }
  core.info(`kubeconfig written to a private file; the job's tools use context ${facts.currentContext}`);
  await writeSummary('Cluster credentials', [
    ['Context', facts.currentContext],
    ['Kubeconfig', 'private file (0600) for this job, removed by the post step'],
  ]);
}

async function removeAfterJob(): Promise<void> {
  const file = core.getState(FILE);
  if (!file) return;
  await removeKubeconfig(file);
  core.info('kubeconfig removed');
}
