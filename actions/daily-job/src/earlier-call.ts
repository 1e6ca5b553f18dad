import type { GitHubClient } from '@incidents-pipeline/actions-lib/github';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { jobDateOf } from './gate.js';
import { addDays } from './local-clock.js';

/**
 * The once-a-day guard. Two crons, GitHub's delays and manual runs can put more than one run inside
 * the window, so before calling, the action asks the Actions API whether another run of this
 * workflow already made the call for the same day.
 *
 * "Successful run" alone is not enough: the run of the other cron, outside the window, also ends
 * green without calling anything. So a run counts only when its step named `CALL_MARKER_STEP`
 * succeeded; the workflow runs that step only when this action reports `ran == 'true'`.
 */
export const CALL_MARKER_STEP = 'Record the daily call';

export type Octokit = GitHubClient;

export interface EarlierCallQuery {
  owner: string;
  repo: string;
  /** Workflow file name (`daily-job.yml`) or numeric id. */
  workflowId: string | number;
  currentRunId: number | undefined;
  /** `GITHUB_RUN_ATTEMPT`: above 1 in a re-run, which keeps the run id of its earlier attempts. */
  currentAttempt?: number;
  /** The day to look for (see `GateDecision.jobDate`). */
  jobDate: string;
  timezone: string;
  /** `HH:MM` at which the local day of the job begins. */
  time: string;
}

export interface EarlierCall {
  runId: number;
  /** Set when the call was made by an earlier attempt of the current run. */
  attempt?: number;
  url: string;
  startedAt: string;
}

type Job = Awaited<ReturnType<Octokit['rest']['actions']['listJobsForWorkflowRun']>>['data']['jobs'][number];

/** The marker step of a job when it succeeded, i.e. when that job made the call. */
function markerOf(job: Job) {
  return (job.steps ?? []).find((step) => step.name === CALL_MARKER_STEP && step.conclusion === 'success');
}

/** Every job of a run, of every attempt: a re-run that ended differently does not undo a call. */
function jobsOf(octokit: Octokit, query: EarlierCallQuery, runId: number): Promise<Job[]> {
  return octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
    owner: query.owner,
    repo: query.repo,
    run_id: runId,
    filter: 'all',
    per_page: 100,
  });
}

export async function findEarlierCall(
  octokit: Octokit,
  query: EarlierCallQuery,
): Promise<EarlierCall | undefined> {
  const [hh, mm] = query.time.split(':').map(Number);
  const startMinute = hh * 60 + mm;
  // GitHub filters by UTC dates; one day either side covers every offset, the exact match is ours.
  const runs = await octokit.paginate(octokit.rest.actions.listWorkflowRuns, {
    owner: query.owner,
    repo: query.repo,
    workflow_id: query.workflowId,
    status: 'success',
    created: `${addDays(query.jobDate, -1)}..${addDays(query.jobDate, 2)}`,
    per_page: 100,
  });
  const sameDay = runs.filter(
    (run) =>
      run.id !== query.currentRunId &&
      jobDateOf(new Date(run.run_started_at ?? run.created_at), query.timezone, startMinute) ===
        query.jobDate,
  );
  for (const run of sameDay) {
    const called = (await jobsOf(octokit, query, run.id)).some((job) => markerOf(job) !== undefined);
    if (called) return { runId: run.id, url: run.html_url, startedAt: run.run_started_at ?? run.created_at };
  }
  return findCallOfEarlierAttempt(octokit, query, startMinute);
}

/**
 * A re-run keeps its run id, and its earlier attempts are not among the finished runs listed above
 * (the run is in progress again), so they are asked for directly. An attempt counts when its marker
 * step finished on the same job day: a re-run on a later day makes that day's call.
 */
async function findCallOfEarlierAttempt(
  octokit: Octokit,
  query: EarlierCallQuery,
  startMinute: number,
): Promise<EarlierCall | undefined> {
  const attempt = query.currentAttempt ?? 1;
  if (query.currentRunId === undefined || attempt <= 1) return undefined;
  for (const job of await jobsOf(octokit, query, query.currentRunId)) {
    const marker = markerOf(job);
    const finished = marker?.completed_at ?? job.completed_at ?? job.started_at;
    if (
      marker &&
      (job.run_attempt ?? 1) < attempt &&
      jobDateOf(new Date(finished), query.timezone, startMinute) === query.jobDate
    ) {
      return {
        runId: query.currentRunId,
        attempt: job.run_attempt ?? 1,
        url: job.html_url ?? '',
        startedAt: job.started_at,
      };
    }
  }
  return undefined;
}

/** The workflow file name from `GITHUB_WORKFLOW_REF` (`owner/repo/.github/workflows/x.yml@refs/heads/main`). */
export function workflowFileFromRef(ref: string | undefined): string {
  const file = ref?.split('@')[0].split('/').at(-1);
  if (!file || !/\.ya?ml$/.test(file)) {
    throw new ActionError(
      `cannot tell which workflow this is (GITHUB_WORKFLOW_REF is '${ref ?? ''}'); the once-a-day check needs it`,
    );
  }
  return file;
}
