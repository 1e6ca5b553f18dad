import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { locateDevTool } from '../tools/pins.js';
import { moveCredentialsToFiles } from './credential-files.js';
import {
  localRepositoryArgs,
  pinnedActions,
  readWorkflow,
  STAND_INS_DIR,
  workflowFiles,
} from './stand-ins.js';
import { unknownWithKeys } from './with-keys.js';
import { REPO_ROOT as PROJECT } from '@incidents-pipeline/test-support/repository';

/**
 * How `npm run act` runs act: the pinned act, in host mode, offline. Every pinned third-party action is
 * replaced by its local stand-in, act's caches and job folders stay in a cache folder of their own,
 * and the GitHub URLs act hands to the jobs point at a closed loopback port, so nothing a local run
 * does can reach GitHub unless the caller points them somewhere with `--env`. Secrets given as
 * `-s NAME=value` reach act through a private file, never its argv.
 */

/** This repository: the stand-ins and the tool locator are always this checkout's, whatever `-C` says. */
export { PROJECT };

/** A loopback port nothing listens on: an API call or action fetch fails at once, on this machine. */
export const NOWHERE = 'http://127.0.0.1:9';

type Env = Record<string, string | undefined>;

/** `$INCIDENTS_ACT_CACHE`, else `~/.cache/incidents-pipeline/act`: act's action cache and job folders. */
export function actCacheDir(env: Env = process.env): string {
  return path.resolve(env.INCIDENTS_ACT_CACHE || path.join(homedir(), '.cache', 'incidents-pipeline', 'act'));
}

export interface ActInvocation {
  binary: string;
  args: string[];
  env: Record<string, string>;
  /** Where the recording stand-ins write, unless the caller's `--env INCIDENTS_ACT_RECORD=` says otherwise. */
  recordFile: string;
  /**
   * Removes the private files that carry the run's secrets and credential variables instead of argv
   * (credential-files.ts). Call it once act has exited, whatever happened.
   */
  removeCredentials(): void;
}

/** The value of `-X v`, `-X=v`, `--long v` or `--long=v` in act's arguments (the last one wins, as in act). */
export function flagValue(args: readonly string[], short: string, long: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    if (arg === short || arg === long) value = args[i + 1];
    else if (arg.startsWith(`${short}=`) || arg.startsWith(`${long}=`))
      value = arg.slice(arg.indexOf('=') + 1);
  });
  return value;
}

export async function actInvocation(
  userArgs: readonly string[],
  options: { cwd?: string; env?: Env } = {},
): Promise<ActInvocation> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  // act masks secrets in the message of a log entry only; --json prints the other fields too, and
  // those carry the value of every ::add-mask:: and every step summary unmasked (act 0.2.89).
  if (userArgs.includes('--json')) {
    throw new Error(
      '--json is refused: act prints masked values, secrets included, unmasked in its JSON fields',
    );
  }
  const workdir = path.resolve(cwd, flagValue(userArgs, '-C', '--directory') ?? '.');
  const target = path.resolve(workdir, flagValue(userArgs, '-W', '--workflows') ?? '.github/workflows');
  const targets = statSync(target).isDirectory() ? await workflowFiles(target) : [target];

  // What act cannot see and GitHub would stop on, or only warn about, stops a local run before act
  // starts: a with: key no input matches (act passes it on silently), and what actionlint finds, such
  // as a `needs.<job>.outputs.<name>` no job declares (act makes it an empty string). A called workflow
  // (`uses: ./.github/workflows/x.yml`) runs too, so it is checked with its caller.
  const files = await withCalledWorkflows(targets, workdir);
  const problems: string[] = [];
  for (const file of files) problems.push(...(await unknownWithKeys(file, { workdir, project: PROJECT })));
  problems.push(...(await actionlintProblems(files, workdir, env)));
  if (problems.length > 0)
    throw new Error(`the workflows would not run as written:\n  ${problems.join('\n  ')}`);
  const pins = await pinnedActions(await workflowFiles(path.join(workdir, '.github/workflows')));

  const cache = actCacheDir(env);
  await mkdir(cache, { recursive: true });
  const recordFile = path.join(cache, 'record.jsonl');
  const helm = await locateDevTool('helm', { env }).catch(() => '');
  const args = [
    // Steps run on this machine with its node, docker and the bootstrap's tools.
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-offline-mode',
    '--action-cache-path',
    path.join(cache, 'actions'),
    // setup-node's npm cache is not used locally, and act's cache server would listen beyond loopback.
    '--no-cache-server',
    // upload-artifact is a stand-in; this overrides .actrc's artifact server for the container way.
    '--artifact-server-path=',
    // Without a GITHUB_TOKEN secret act asks `gh auth token`: a local run gets none unless given one.
    '-s',
    'GITHUB_TOKEN=',
    '--env',
    `GITHUB_SERVER_URL=${NOWHERE}`,
    '--env',
    `GITHUB_API_URL=${NOWHERE}`,
    '--env',
    `GITHUB_GRAPHQL_URL=${NOWHERE}/graphql`,
    '--env',
    `INCIDENTS_ACT_PROJECT=${PROJECT}`,
    '--env',
    `INCIDENTS_ACT_STAND_INS=${path.join(PROJECT, STAND_INS_DIR)}`,
    '--env',
    `INCIDENTS_ACT_HELM=${helm}`,
    '--env',
    `INCIDENTS_ACT_RECORD=${recordFile}`,
    // act reports `master` as github.event.repository.default_branch unless told; release.yml and
    // semver-tag's validate check against it. An event file (-e) must name it itself.
    '--defaultbranch',
    await defaultBranchOf(workdir),
    ...localRepositoryArgs(PROJECT, pins),
    // Last, so the caller's flags win over every default above (act keeps the last value of a flag).
    ...userArgs,
  ];
  // GitHub runs the actions (node24) and setup-node's Node 24 for the steps; act in host mode takes
  // node from the PATH it was given, so the bootstrap's Node 24 goes first, whatever the machine has.
  const node = await locateDevTool('node', { env });
  const binary = await locateDevTool('act', { env });
  // Last: nothing may fail between writing the files and handing back the way to remove them.
  const credentials = moveCredentialsToFiles(args, workdir);
  return {
    binary,
    args: credentials.args,
    removeCredentials: credentials.remove,
    env: {
      // act asks a web service for version notices unless told not to.
      ACT_DISABLE_VERSION_CHECK: '1',
      PATH: [path.dirname(node), env.PATH ?? ''].join(path.delimiter),
    },
    recordFile,
  };
}

/** The branch origin's HEAD names in the clone (as `git clone` sets it), else `main`. */
export async function defaultBranchOf(workdir: string): Promise<string> {
  const result = await execa('git', ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], {
    cwd: workdir,
    reject: false,
  });
  const branch =
    result.exitCode === 0
      ? String(result.stdout)
          .trim()
          .replace(/^origin\//, '')
      : '';
  return branch || 'main';
}

/** The files and, transitively, the local workflows their jobs call. */
async function withCalledWorkflows(files: readonly string[], workdir: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const job of Object.values((await readWorkflow(file)).jobs ?? {}))
      if (job.uses?.startsWith('./')) queue.push(path.join(workdir, job.uses.split('@')[0]));
  }
  return [...seen];
}

/** actionlint's findings for the files, one per line (shellcheck is `npm run lint`'s job, not a run's). */
async function actionlintProblems(files: readonly string[], workdir: string, env: Env): Promise<string[]> {
  const actionlint = await locateDevTool('actionlint', { env });
  const result = await execa(actionlint, ['-no-color', '-shellcheck=', '-pyflakes=', ...files], {
    cwd: workdir,
    reject: false,
    all: true,
  });
  if (result.exitCode === 0) return [];
  const lines = String(result.all ?? '')
    .split('\n')
    .filter((line) => /^\S.*:\d+:\d+: /.test(line));
  return lines.length > 0
    ? lines
    : [`actionlint exited with ${result.exitCode}: ${String(result.all ?? '')}`];
}
