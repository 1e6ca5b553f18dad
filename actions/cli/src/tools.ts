import { ActionError, MissingToolError } from '../../lib/src/errors.js';
import { runTool } from '../../lib/src/process.js';

export type Tool = 'docker' | 'kind' | 'helm' | 'kubectl';

/** A cheap call per tool that works without a cluster or daemon: only "is it installed" is asked. */
const PROBES: Record<Tool, string[]> = {
  docker: ['--version'],
  kind: ['version'],
  helm: ['version', '--template', '{{.Version}}'],
  kubectl: ['version', '--client'],
};

const KIND_HINT =
  'Run `npm run init`, which installs kind, or install it yourself (https://kind.sigs.k8s.io/docs/user/quick-start/#installation).';

/** Whether a tool can be started; false only when it is not installed. */
export async function isInstalled(tool: Tool): Promise<boolean> {
  try {
    await runTool(tool, PROBES[tool], { group: false, allowFailure: true, timeoutMs: 30_000 });
    return true;
  } catch (error) {
    if (error instanceof MissingToolError) return false;
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
    try {
      await runTool(tool, PROBES[tool], { group: false, allowFailure: true, timeoutMs: 30_000 });
    } catch (error) {
      if (!(error instanceof MissingToolError)) throw error;
      missing.push(tool === 'kind' ? new MissingToolError('kind', KIND_HINT).message : error.message);
    }
  }
  if (missing.length === 1) throw new ActionError(missing[0]);
  if (missing.length > 1) throw new ActionError(`missing tools:\n  - ${missing.join('\n  - ')}`);
}
