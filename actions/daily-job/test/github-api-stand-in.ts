import type { ServerResponse } from 'node:http';
import { json, startServer, type LoopbackServer, type SeenRequest } from './loopback-server.js';

/** The parts of a workflow run and its jobs that the once-a-day check reads. */
export interface StandInRun {
  id: number;
  startedAt: string;
  conclusion?: 'success' | 'failure' | 'cancelled';
  /** Steps of the run's single job, by name and conclusion. */
  steps: Record<string, 'success' | 'skipped' | 'failure'>;
  /** Earlier attempts of a run that was re-run, oldest first: when their job finished, and its steps. */
  earlierAttempts?: { finishedAt: string; steps: StandInRun['steps'] }[];
}

export interface GitHubApiStandIn extends LoopbackServer {
  env: Record<string, string>;
}

export const REPOSITORY = 'acme/incidents';
export const WORKFLOW_REF = `${REPOSITORY}/.github/workflows/daily-job.yml@refs/heads/main`;

/**
 * A stand-in for the two Actions API endpoints the check calls, on loopback, answering like GitHub:
 * `status=success` filters by conclusion, pages of `pageSize` linked with `Link: rel="next"`.
 */
export async function startGitHubApi(
  runs: StandInRun[],
  options: { pageSize?: number; fail?: (req: SeenRequest, res: ServerResponse) => boolean } = {},
): Promise<GitHubApiStandIn> {
  const pageSize = options.pageSize ?? 100;
  let origin = '';
  const page = <T>(req: SeenRequest, res: ServerResponse, key: string, items: T[]) => {
    const url = new URL(req.url, origin);
    const n = Number(url.searchParams.get('page') ?? '1');
    const slice = items.slice((n - 1) * pageSize, n * pageSize);
    const headers: Record<string, string> = {};
    if (n * pageSize < items.length) {
      url.searchParams.set('page', String(n + 1));
      headers.link = `<${url.href}>; rel="next"`;
    }
    json(res, 200, { total_count: items.length, [key]: slice }, headers);
  };
  const server = await startServer((req, res) => {
    if (options.fail?.(req, res)) return;
    const path = new URL(req.url, origin).pathname;
    const query = new URL(req.url, origin).searchParams;
    if (path === `/repos/${REPOSITORY}/actions/workflows/daily-job.yml/runs`) {
      const wanted = query.get('status');
      const listed = runs
        .filter((r) => !wanted || (r.conclusion ?? 'success') === wanted)
        .map((r) => ({
          id: r.id,
          html_url: `https://github.com/${REPOSITORY}/actions/runs/${r.id}`,
          created_at: r.startedAt,
          run_started_at: r.startedAt,
          status: 'completed',
          conclusion: r.conclusion ?? 'success',
        }));
      return page(req, res, 'workflow_runs', listed);
    }
    const jobs = /^\/repos\/acme\/incidents\/actions\/runs\/(\d+)\/jobs$/.exec(path);
    const run = jobs && runs.find((r) => r.id === Number(jobs[1]));
    if (run) {
      // GitHub lists the latest attempt's jobs, or every attempt's with filter=all.
      const attempts = [...(run.earlierAttempts ?? []), { finishedAt: run.startedAt, steps: run.steps }];
      const listed = query.get('filter') === 'all' ? attempts : attempts.slice(-1);
      const jobs = listed.map(({ finishedAt, steps }) => {
        const attempt = attempts.findIndex((a) => a.steps === steps) + 1;
        return {
          id: run.id * 10 + attempt,
          run_id: run.id,
          run_attempt: attempt,
          name: 'daily-job',
          html_url: `https://github.com/${REPOSITORY}/actions/runs/${run.id}/job/${run.id * 10 + attempt}`,
          started_at: finishedAt,
          completed_at: finishedAt,
          steps: Object.entries(steps).map(([name, conclusion], i) => ({
            name,
            status: 'completed',
            conclusion,
            number: i + 1,
            completed_at: finishedAt,
          })),
        };
      });
      return page(req, res, 'jobs', jobs);
    }
    json(res, 404, { message: 'Not Found' });
  });
  origin = server.origin;
  return {
    ...server,
    env: {
      GITHUB_API_URL: server.origin,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_WORKFLOW_REF: WORKFLOW_REF,
    },
  };
}
