import path from 'node:path';
import { ActionError, MissingToolError } from '@incidents-pipeline/actions-lib/errors';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import { locateTool, ToolNotInstalledError } from '@incidents-pipeline/actions-lib/tools';

export type Tool = 'docker' | 'kind' | 'helm' | 'kubectl';

/** A cheap call per unpinned tool that works without a cluster or daemon: only "is it installed". */
const PROBES: Record<'docker' | 'kubectl', string[]> = {
  docker: ['--version'],
  kubectl: ['version', '--client'],
};

// The CLI can install kind itself, so its hint points there as well as to the tool bootstrap.
const KIND_HINT = '`npm run init` installs it too.';

/** Whether a tool can be started (kind and helm: at their pinned versions); false only when it cannot. */
export async function isInstalled(tool: Tool): Promise<boolean> {
  return (await probe(tool)) === true;
}

/**
 * `true`, or the error that says the tool is missing and how to get it. kind and helm are found by
 * the same locator the tests use, at the versions pinned in actions/lib/src/tools.ts; the one found
 * goes first on PATH, so every later `kind` or `helm` call of this run is that binary.
 */
async function probe(tool: Tool): Promise<true | ActionError> {
  if (tool === 'kind' || tool === 'helm') {
    try {
      const binary = await locateTool(tool);
      process.env.PATH = `${path.dirname(binary)}${path.delimiter}${process.env.PATH ?? ''}`;
      return true;
    } catch (error) {
      if (error instanceof ToolNotInstalledError) return error;
      throw error;
    }
  }
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
      missing.push(tool === 'kind' ? `${installed.message} ${KIND_HINT}` : installed.message);
  }
  if (missing.length === 1) throw new ActionError(missing[0]);
  if (missing.length > 1) throw new ActionError(`missing tools:\n  - ${missing.join('\n  - ')}`);
}
