import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { parsePin, readWorkflow, standInDir } from './stand-ins.js';

/**
 * The `with:` keys of every step and called workflow, against the inputs the action or workflow
 * declares. act passes an unknown key on silently and GitHub only warns, so a misspelled `fetch-depht`
 * or `kind-clsuter` would run with the default and fail somewhere later, or not at all. A local run
 * stops on it before act starts. Pinned actions are checked against their stand-ins, which declare the
 * upstream inputs.
 */
export async function unknownWithKeys(
  workflowFile: string,
  options: { workdir: string; project: string },
): Promise<string[]> {
  const problems: string[] = [];
  const where = path.relative(options.workdir, workflowFile) || workflowFile;
  for (const [jobId, job] of Object.entries((await readWorkflow(workflowFile)).jobs ?? {})) {
    if (job.uses) {
      const declared = await declaredInputs(job.uses, options, 'workflow');
      problems.push(...compare(`${where}: job ${jobId} (${job.uses})`, job.with, declared));
    }
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (!step.uses) continue;
      const declared = await declaredInputs(step.uses, options, 'action');
      const name = step.id ?? step.name ?? `step ${index + 1}`;
      problems.push(...compare(`${where}: job ${jobId}, ${name} (${step.uses})`, step.with, declared));
    }
  }
  return problems;
}

function compare(
  where: string,
  given: Record<string, unknown> | undefined,
  declared: Set<string> | undefined,
): string[] {
  if (declared === undefined) return [];
  return Object.keys(given ?? {})
    .filter((key) => !declared.has(key))
    .map(
      (key) => `${where}: with key '${key}' is not an input (${[...declared].sort().join(', ') || 'none'})`,
    );
}

/** Input names of what `uses` names; undefined when it is nothing this check knows how to read. */
async function declaredInputs(
  uses: string,
  options: { workdir: string; project: string },
  kind: 'action' | 'workflow',
): Promise<Set<string> | undefined> {
  let file: string | undefined;
  const pin = parsePin(uses);
  if (pin) file = path.join(standInDir(options.project, pin), 'action.yml');
  else if (uses.startsWith('./')) {
    const target = path.join(options.workdir, uses.split('@')[0]);
    file =
      kind === 'workflow'
        ? target
        : ['action.yml', 'action.yaml'].map((f) => path.join(target, f)).find(existsSync);
  }
  if (!file || !existsSync(file)) return undefined;
  const doc = (parse(await readFile(file, 'utf8')) ?? {}) as {
    inputs?: Record<string, unknown>;
    on?: { workflow_call?: { inputs?: Record<string, unknown> } };
  };
  const inputs = kind === 'workflow' ? doc.on?.workflow_call?.inputs : doc.inputs;
  return new Set(Object.keys(inputs ?? {}));
}
