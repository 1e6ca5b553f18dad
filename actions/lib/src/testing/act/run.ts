import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../action-env.js';
import { actInvocation, PROJECT } from './invocation.js';

/**
 * Runs a workflow under act the way `npm run act` does, for the `*.act.test.ts` cases, and returns what
 * act reported as structured data (`--json`): each job's result and each step's conclusion, plus what
 * the recording stand-ins wrote. Tests assert on those and on what their endpoints and remotes saw;
 * the text output is kept for the one question only it answers, whether a secret was printed.
 */

export interface StepResult {
  jobId: string;
  step: string;
  result: string;
}

export interface ActRun {
  exitCode: number;
  /** Everything act printed, stdout and stderr, in order. */
  output: string;
  /** `jobResult` per job id (`success`, `failure`, `skipped` when act logs it). */
  jobs: Record<string, string>;
  /** The conclusion of every step that ran (act logs skipped steps only at debug level). */
  steps: StepResult[];
  /** What the recording stand-ins wrote, one object per call. */
  records: Record<string, unknown>[];
  durationMs: number;
}

export interface ActRunOptions {
  /** act's working directory (default: this repository). */
  cwd?: string;
  /** Kept for the whole test file so the action cache is reused; default a fresh temporary folder. */
  cacheDir?: string;
  timeoutMs?: number;
}

export async function runAct(args: readonly string[], options: ActRunOptions = {}): Promise<ActRun> {
  const cwd = options.cwd ?? PROJECT;
  const cache = options.cacheDir ?? tempDir('act-cache-').dir;
  const env = { ...process.env, INCIDENTS_ACT_CACHE: cache };
  // A record file of this run alone, so a shared cache does not mix runs.
  const recordFile = path.join(tempDir('act-record-').dir, 'record.jsonl');
  const invocation = await actInvocation(['--json', '--env', `INCIDENTS_ACT_RECORD=${recordFile}`, ...args], {
    cwd,
    env,
  });
  const started = Date.now();
  const result = await execa(invocation.binary, invocation.args, {
    cwd,
    env: { ...invocation.env, INCIDENTS_ACT_CACHE: cache },
    all: true,
    reject: false,
    timeout: options.timeoutMs ?? 10 * 60_000,
  });
  const output = String(result.all ?? '');
  const jobs: Record<string, string> = {};
  const steps: StepResult[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const jobId = String(entry.jobID ?? '');
    if (typeof entry.jobResult === 'string') jobs[jobId] = entry.jobResult;
    if (typeof entry.stepResult === 'string' && entry.stage === 'Main')
      steps.push({ jobId, step: String(entry.step ?? ''), result: entry.stepResult });
  }
  const records = existsSync(recordFile)
    ? readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];
  return { exitCode: result.exitCode ?? 1, output, jobs, steps, records, durationMs: Date.now() - started };
}
