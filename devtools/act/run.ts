import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { actInvocation, PROJECT } from './invocation.js';

/**
 * Runs a workflow under act the way `npm run act` does, for the `*.act.test.ts` cases, and returns the
 * results act reports for each job and step, plus what the recording stand-ins wrote. Tests assert on
 * those and on what their endpoints and remotes saw. The output is act's plain text, the one a person
 * sees (`--json` is refused, see invocation.ts); with `--log-prefix-job-id` every line names its job id,
 * and act's result lines have a fixed form: `[job]   ✅  Success - Main <step> [time]`,
 * `[job] 🏁  Job succeeded`.
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
  /** `success` or `failure` per job id that ran. */
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
  const invocation = await actInvocation(
    ['--log-prefix-job-id', '--env', `INCIDENTS_ACT_RECORD=${recordFile}`, ...args],
    {
      cwd,
      env,
    },
  );
  const started = Date.now();
  const result = await execa(invocation.binary, invocation.args, {
    cwd,
    env: { ...invocation.env, INCIDENTS_ACT_CACHE: cache },
    all: true,
    reject: false,
    timeout: options.timeoutMs ?? 10 * 60_000,
  }).finally(() => invocation.removeCredentials());
  const output = String(result.all ?? '');
  // A failed run's whole log, for a person chasing it (the assertions quote only what they check).
  if (result.exitCode !== 0 && process.env.INCIDENTS_ACT_DEBUG) process.stdout.write(output);
  const jobs: Record<string, string> = {};
  const steps: StepResult[] = [];
  for (const line of output.split('\n')) {
    const job = /^\[([^\]]+)\] 🏁 {2}Job (succeeded|failed)$/u.exec(line);
    if (job) jobs[job[1]] = job[2] === 'succeeded' ? 'success' : 'failure';
    const step = /^\[([^\]]+)\] {3}(?:✅ {2}Success|❌ {2}Failure) - Main (.+) \[[^\]]+\]$/u.exec(line);
    if (step)
      steps.push({ jobId: step[1], step: step[2], result: line.includes('✅') ? 'success' : 'failure' });
  }
  const records = existsSync(recordFile)
    ? readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];
  return { exitCode: result.exitCode ?? 1, output, jobs, steps, records, durationMs: Date.now() - started };
}
