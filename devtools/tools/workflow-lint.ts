import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { locateDevTool } from './pins.js';

/**
 * The workflow lint of `npm run lint`: actionlint (syntax, expressions, contexts, action inputs,
 * and shellcheck over every `run:` script) and zizmor's offline security audits, both over the
 * `.github/` folder of `root`. A workflow passes only when actionlint reports nothing and zizmor
 * nothing at medium severity or higher.
 */

export interface ToolReport {
  tool: 'actionlint' | 'zizmor';
  ok: boolean;
  exitCode: number;
  output: string;
}

export interface WorkflowLint {
  ok: boolean;
  reports: ToolReport[];
}

export async function lintWorkflows(root: string): Promise<WorkflowLint> {
  const [actionlint, shellcheck, zizmor] = await Promise.all([
    locateDevTool('actionlint'),
    locateDevTool('shellcheck'),
    locateDevTool('zizmor'),
  ]);
  const workflowsDir = path.join(root, '.github', 'workflows');
  const workflows = (await readdir(workflowsDir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join('.github', 'workflows', name));

  const reports = await Promise.all([
    run('actionlint', actionlint, root, [
      '-no-color',
      // Given explicitly, so a missing shellcheck is a failure of locateTool, never a silent skip.
      `-shellcheck=${shellcheck}`,
      // No Python `run:` scripts here; an empty value turns the pyflakes integration off.
      '-pyflakes=',
      ...workflows,
    ]),
    run('zizmor', zizmor, root, [
      '--offline',
      '--no-progress',
      // Findings and the summary only, without a log line per audited file.
      '--quiet',
      '--min-severity=medium',
      // zizmor's defaults are the policy: every action hash-pinned, no broad permissions, no injection.
      '--no-config',
      path.join(root, '.github'),
    ]),
  ]);
  return { ok: reports.every((r) => r.ok), reports };
}

async function run(
  tool: ToolReport['tool'],
  binary: string,
  cwd: string,
  args: string[],
): Promise<ToolReport> {
  const result = await execa(binary, args, {
    cwd,
    reject: false,
    all: true,
    timeout: 120_000,
    // zizmor colours and decorates for a terminal; the report is read by people and tests alike.
    env: { NO_COLOR: '1' },
  });
  const exitCode = result.exitCode ?? -1;
  return { tool, ok: exitCode === 0, exitCode, output: String(result.all ?? '').trim() };
}
