import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The third-party actions the workflows pin, read from the workflows themselves, and the local stand-in
 * of each (`.github/act/stand-ins/<owner>/<repo>/`). Deriving the list keeps `npm run act` offline when
 * a workflow gains a pin: the new pin has no stand-in yet, and the run stops before act would fetch it.
 */

export interface Pin {
  owner: string;
  repo: string;
  sha: string;
}

const PINNED = /^([\w.-]+)\/([\w.-]+)(?:\/[^@]*)?@([0-9a-f]{40})$/;

export const STAND_INS_DIR = '.github/act/stand-ins';

export const pinKey = (pin: Pin) => `${pin.owner}/${pin.repo}@${pin.sha}`;

/** The `owner/repo@SHA` of a `uses:` value, or undefined for a local action or workflow. */
export function parsePin(uses: string): Pin | undefined {
  const match = PINNED.exec(uses.trim());
  return match ? { owner: match[1], repo: match[2], sha: match[3] } : undefined;
}

export type Workflow = { jobs?: Record<string, Job> };
export type Job = { uses?: string; with?: Record<string, unknown>; steps?: Step[] };
export type Step = { uses?: string; with?: Record<string, unknown>; name?: string; id?: string };

export async function readWorkflow(file: string): Promise<Workflow> {
  return (parse(await readFile(file, 'utf8')) ?? {}) as Workflow;
}

/** Every workflow file in a folder (not its subfolders, as act's `--no-recurse` would not either). */
export async function workflowFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => path.join(dir, name));
}

/** Each distinct pin of every step and job of the workflows, in a stable order. */
export async function pinnedActions(files: readonly string[]): Promise<Pin[]> {
  const pins = new Map<string, Pin>();
  for (const file of files) {
    for (const job of Object.values((await readWorkflow(file)).jobs ?? {})) {
      for (const uses of [job.uses, ...(job.steps ?? []).map((step) => step.uses)]) {
        const pin = uses === undefined ? undefined : parsePin(uses);
        if (pin) pins.set(pinKey(pin), pin);
      }
    }
  }
  return [...pins.values()].sort((a, b) => pinKey(a).localeCompare(pinKey(b)));
}

export function standInDir(project: string, pin: Pin): string {
  return path.join(project, STAND_INS_DIR, pin.owner, pin.repo);
}

/** `--local-repository owner/repo@SHA=<stand-in>` for each pin; an error names every pin without one. */
export function localRepositoryArgs(project: string, pins: readonly Pin[]): string[] {
  const missing = pins.filter((pin) => !existsSync(path.join(standInDir(project, pin), 'action.yml')));
  if (missing.length > 0) {
    throw new Error(
      `no local stand-in for ${missing.map(pinKey).join(', ')}: add ${missing
        .map((pin) => `${STAND_INS_DIR}/${pin.owner}/${pin.repo}/action.yml`)
        .join(', ')} (a local run never fetches an action from GitHub)`,
    );
  }
  return pins.flatMap((pin) => ['--local-repository', `${pinKey(pin)}=${standInDir(project, pin)}`]);
}
