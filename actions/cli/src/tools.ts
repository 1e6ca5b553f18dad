import { ActionError, MissingToolError } from '@incidents-pipeline/actions-lib/errors';
import { runTool } from '@incidents-pipeline/actions-lib/process';

export type Tool = 'docker' | 'kind' | 'helm' | 'kubectl';

/** A cheap call per tool that works without a cluster or daemon: only "is it installed" is asked. */
const PROBES: Record<Tool, string[]> = {
  docker: ['--version'],
  kind: ['version'],
  helm: ['version', '--template', '{{.Version}}'],
  kubectl: ['version', '--client'],
};

// The CLI installs kind itself, so its hint points there before the general instructions.
const KIND_HINT =
  'Run `npm run init`, which installs kind, or install it yourself (https://kind.sigs.k8s.io/docs/user/quick-start/#installation).';

/** Whether a tool can be started; false only when it is not installed. */
export async function isInstalled(tool: Tool): Promise<boolean> {
  return (await probe(tool)) === true;
}

/** `true`, or the error that says the tool is missing and how to get it. */
async function probe(tool: Tool): Promise<true | MissingToolError> {
  try {
    await runTool(tool, PROBES[tool], { group: false, allowFailure: true, timeoutMs: 30_000 });
    return true;
  } catch (error) {
    if (error instanceof MissingToolError) return error;
    throw error;
  }
}

/**
 * Checks every tool a command needs before it changes anything, and names all missing ones at once
 * with how to get each, rather than failing halfway through on the first.
 */
export async function requireTools(tools: readonly Tool[]): Promise<void> {
  const missing: string[] = [];
  for (const tool of tools) {
    const installed = await probe(tool);
    if (installed !== true)
      missing.push(tool === 'kind' ? new MissingToolError('kind', KIND_HINT).message : installed.message);
  }
  if (missing.length === 1) throw new ActionError(missing[0]);
  if (missing.length > 1) throw new ActionError(`missing tools:\n  - ${missing.join('\n  - ')}`);
}
