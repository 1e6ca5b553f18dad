import * as core from '@actions/core';
import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import { ActionError, InputError } from '@incidents-pipeline/actions-lib/errors';
import { githubClient, githubRepository } from '@incidents-pipeline/actions-lib/github';
import { log } from '@incidents-pipeline/actions-lib/log';
import { writeSummary, type SummaryRow } from '@incidents-pipeline/actions-lib/summary';
import { CallError, callEndpoint, describeTarget } from './call.js';
import { findEarlierCall, workflowFileFromRef, type EarlierCall } from './earlier-call.js';
import { decide, type GateDecision } from './gate.js';
import { getInputs, type Inputs } from './inputs.js';
import { redact } from './redact.js';

/** Where the workflow takes the URL and token from; named in the hint of an unconfigured job. */
export const URL_VARIABLE = 'DAILY_JOB_URL';
export const TOKEN_SECRET = 'DAILY_JOB_TOKEN';

/** Internal knob for the first backoff wait (tests shorten it); not an input because nobody should tune it in a workflow. */
const BACKOFF_BASE_ENV = 'DAILY_JOB_BACKOFF_BASE_MS';

export async function run(): Promise<void> {
  // Masked before anything else is read or logged, validation messages included.
  const secrets = [core.getInput('token'), core.getInput('github-token')].filter((s) => s !== '');
  for (const secret of secrets) log().setSecret(secret);
  try {
    await runDailyJob(secrets);
  } catch (error) {
    throw withoutSecrets(error, secrets);
  }
}

async function runDailyJob(secrets: readonly string[]): Promise<void> {
  const inputs = getInputs();
  const decision = decide({
    now: inputs.now,
    timezone: inputs.timezone,
    time: inputs.time,
    windowMinutes: inputs.windowMinutes,
    force: inputs.force,
  });

  if (inputs.url === undefined) {
    const reason =
      `no url configured, nothing to call: set the repository variable ${URL_VARIABLE} to the endpoint and ` +
      `the repository secret ${TOKEN_SECRET} to its bearer token (Settings → Secrets and variables → Actions)`;
    log().warning(reason);
    return finish(decision, { ran: false, reason });
  }
  if (inputs.token === undefined) {
    throw new InputError(
      'token',
      `is required when url is set: store it as the repository secret ${TOKEN_SECRET}`,
    );
  }

  log().info(`${inputs.replay ? 'replaying' : 'local time'} ${decision.localTime}: ${decision.reason}`);
  if (!decision.run) return finish(decision, { ran: false, reason: decision.reason });

  if (inputs.force) {
    log().info('force: the once-a-day check is skipped as well');
  } else {
    const earlier = await findEarlierCallOfTheDay(inputs, decision, secrets);
    if (earlier) {
      const by = earlier.attempt
        ? `attempt ${earlier.attempt} of this run, ${earlier.runId}`
        : `run ${earlier.runId}`;
      const reason = `already called for ${decision.jobDate} by ${by} (started ${earlier.startedAt}, ${earlier.url})`;
      log().info(reason);
      return finish(decision, { ran: false, reason });
    }
  }

  const target = describeTarget({ url: inputs.url, method: inputs.method });
  log().info(`calling ${target}`);
  const backoffBase = process.env[BACKOFF_BASE_ENV];
  try {
    const result = await callEndpoint(
      { url: inputs.url, method: inputs.method, token: inputs.token, body: inputs.body },
      {
        retries: inputs.retries,
        timeoutMs: inputs.timeoutSeconds * 1000,
        baseDelayMs: backoffBase && /^\d+$/.test(backoffBase) ? Number(backoffBase) : undefined,
      },
    );
    const reason = `${target} answered ${result.status} after ${plural(result.attempts, 'attempt')}`;
    log().info(reason);
    await finish(decision, { ran: true, reason, status: result.status, attempts: result.attempts });
  } catch (error) {
    if (!(error instanceof CallError)) throw error;
    await finish(decision, {
      ran: true,
      reason: error.message,
      status: error.status,
      attempts: error.attempts,
    });
    throw error;
  }
}

interface Outcome {
  ran: boolean;
  reason: string;
  status?: number;
  attempts?: number;
}

async function finish(decision: GateDecision, outcome: Outcome): Promise<void> {
  setOutputs({
    ran: outcome.ran,
    reason: outcome.reason,
    status: outcome.status,
    'local-time': decision.localTime,
  });
  const rows: SummaryRow[] = [
    ['Local time', decision.localTime],
    ['Called', outcome.ran ? 'yes' : 'no'],
    ['Status', outcome.status === undefined ? '–' : String(outcome.status)],
    ['Attempts', outcome.attempts === undefined ? '0' : String(outcome.attempts)],
    ['Reason', outcome.reason],
  ];
  await writeSummary('Daily job', rows);
}

/**
 * Asks the Actions API whether this workflow already made today's call. Without a token the check is
 * off. act sets no `GITHUB_WORKFLOW_REF`, so under act the check runs only when the run names its
 * workflow and an API with `--env` (docs/act.md); otherwise it is skipped, as act has no Actions API of
 * its own. When the API cannot answer, the job fails rather than risk a second call: the red run says
 * why, and a dispatch with `force` makes the call by hand.
 */
async function findEarlierCallOfTheDay(
  inputs: Inputs,
  decision: GateDecision,
  secrets: readonly string[],
): Promise<EarlierCall | undefined> {
  if (process.env.ACT === 'true' && !process.env.GITHUB_WORKFLOW_REF) {
    log().info(
      'running under act without GITHUB_WORKFLOW_REF: the once-a-day check is skipped (act has no Actions API)',
    );
    return undefined;
  }
  if (inputs.githubToken === undefined) {
    log().info('no github-token: the once-a-day check is off');
    return undefined;
  }
  const { owner, repo } = githubRepository('for the once-a-day check');
  const workflowId = workflowFileFromRef(process.env.GITHUB_WORKFLOW_REF);
  const runId = Number(process.env.GITHUB_RUN_ID) || undefined;
  const octokit = githubClient(inputs.githubToken);
  try {
    return await findEarlierCall(octokit, {
      owner,
      repo,
      workflowId,
      currentRunId: runId,
      currentAttempt: Number(process.env.GITHUB_RUN_ATTEMPT) || 1,
      jobDate: decision.jobDate,
      timezone: inputs.timezone,
      time: inputs.time,
    });
  } catch (error) {
    const status = (error as { status?: number }).status;
    const detail = redact(error instanceof Error ? error.message : String(error), secrets);
    const hint = status === 403 || status === 404 ? '; the workflow needs `permissions: actions: read`' : '';
    throw new ActionError(
      `could not check whether ${decision.jobDate}'s call was already made (GitHub API${status ? ` ${status}` : ''}: ${detail})${hint}. ` +
        'Not calling, to avoid calling twice; run the workflow with force to call anyway',
    );
  }
}

/** The same error with every secret removed from its message and stack (which `runAction` prints). */
function withoutSecrets(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return new Error(redact(String(error), secrets));
  const message = redact(error.message, secrets);
  if (message === error.message && redact(error.stack ?? '', secrets) === (error.stack ?? '')) return error;
  const clean = error instanceof ActionError ? new ActionError(message) : new Error(message);
  clean.stack = redact(error.stack ?? message, secrets);
  return clean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
