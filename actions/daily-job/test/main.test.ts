import { afterEach, describe, expect, test } from '@jest/globals';
import { runAction } from '@incidents-pipeline/actions-lib/action';
import { runInProcess, type ActionRun } from '@incidents-pipeline/test-support/action-env';
import { CALL_MARKER_STEP } from '../src/earlier-call.js';
import { run as main } from '../src/main.js';
import { startGitHubApi, type GitHubApiStandIn } from './github-api-stand-in.js';
import { json, startServer, type LoopbackServer } from './loopback-server.js';

const TOKEN = 'endpoint-token-7d2e91b4';
const GITHUB_TOKEN = 'ghs_standin0123456789abcdef';
const WINTER_09_05 = '2026-01-15T08:05:00Z';

/** A clean runner environment: nothing from the machine running the tests leaks in. */
const RUNNER_ENV = {
  ACT: undefined,
  GITHUB_API_URL: undefined,
  GITHUB_REPOSITORY: undefined,
  GITHUB_WORKFLOW_REF: undefined,
  GITHUB_RUN_ID: '900',
  GITHUB_RUN_ATTEMPT: undefined,
  DAILY_JOB_BACKOFF_BASE_MS: '1',
};

/** The action as index.ts runs it. */
function run(): Promise<void> {
  return runAction(main);
}

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function endpoint(answer: (i: number) => [number, Record<string, string>?] = () => [200]) {
  const s = await startServer((req, res, i) => {
    const [status, headers] = answer(i);
    json(res, status, { received: req.headers.authorization }, headers);
  });
  servers.push(s);
  return s;
}

async function githubApi(...args: Parameters<typeof startGitHubApi>): Promise<GitHubApiStandIn> {
  const s = await startGitHubApi(...args);
  servers.push(s);
  return s;
}

const called = { 'Run ./actions/daily-job': 'success', [CALL_MARKER_STEP]: 'success' } as const;
const skipped = { 'Run ./actions/daily-job': 'success', [CALL_MARKER_STEP]: 'skipped' } as const;

describe('configuration', () => {
  test('no url: succeeds with a warning that says how to configure the job', async () => {
    const result = await runInProcess(run, { token: '', now: WINTER_09_05 }, RUNNER_ENV);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      ran: 'false',
      status: '',
      'local-time': '2026-01-15T09:05:00+01:00',
    });
    expect(result.outputs.reason).toContain('repository variable DAILY_JOB_URL');
    expect(result.outputs.reason).toContain('repository secret DAILY_JOB_TOKEN');
    expect(result.warnings).toEqual([result.outputs.reason]);
  });

  test('a url without a token fails the step', async () => {
    const s = await endpoint();
    const result = await runInProcess(run, { url: s.origin, now: WINTER_09_05 }, RUNNER_ENV);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      "input 'token': is required when url is set: store it as the repository secret DAILY_JOB_TOKEN",
    ]);
    expect(s.requests).toHaveLength(0);
  });

  test.each([
    [{ timezone: 'Europe/Viena' }, "input 'timezone': 'Europe/Viena' is not an IANA time zone"],
    [{ time: '9:00' }, "input 'time': must be HH:MM"],
    [{ 'window-minutes': '0' }, "input 'window-minutes': must be at least 1"],
    [{ 'window-minutes': '1441' }, "input 'window-minutes': must be at most 1440"],
    [{ now: '2026-01-15T08:00' }, "input 'now': must be an ISO 8601 instant with Z or an offset"],
    [{ body: '{job: daily}' }, "input 'body': must be JSON"],
    [{ method: 'TRACE' }, "input 'method': must be one of GET, POST, PUT, PATCH, DELETE"],
    [{ url: 'http://example.com/hook' }, "input 'url': must use https (got http://example.com)"],
    [{ force: 'yes please' }, "input 'force': must be true or false"],
  ])('invalid input %j fails before any call', async (inputs, message) => {
    const s = await endpoint();
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, now: WINTER_09_05, ...inputs },
      RUNNER_ENV,
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].startsWith(message)).toBe(true);
    expect(s.requests).toHaveLength(0);
  });
});

describe('the gate', () => {
  test('outside the window nothing is called and the outputs say why', async () => {
    const s = await endpoint();
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, now: '2026-01-15T07:00:00Z' },
      RUNNER_ENV,
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({
      ran: 'false',
      reason: '08:00 is outside the daily window 09:00–10:00 Europe/Vienna',
      status: '',
      'local-time': '2026-01-15T08:00:00+01:00',
    });
    expect(s.requests).toHaveLength(0);
  });

  test('inside the window: calls with the token, method and body, and reports status and attempts', async () => {
    const s = await endpoint((i) => (i === 0 ? [503] : [200]));
    const result = await runInProcess(
      run,
      { url: `${s.origin}/daily`, token: TOKEN, method: 'patch', body: '{"day":"today"}', now: WINTER_09_05 },
      RUNNER_ENV,
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      ran: 'true',
      status: '200',
      'local-time': '2026-01-15T09:05:00+01:00',
    });
    expect(s.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/daily', '{"day":"today"}'],
      ['PATCH', '/daily', '{"day":"today"}'],
    ]);
    expect(result.summary).toContain('<td>Local time</td><td>2026-01-15T09:05:00+01:00</td>');
    expect(result.summary).toContain('<td>Status</td><td>200</td>');
    expect(result.summary).toContain('<td>Attempts</td><td>2</td>');
  });

  test('a final failure fails the step but still reports status and attempts', async () => {
    const s = await endpoint(() => [500]);
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, retries: '1', now: WINTER_09_05 },
      RUNNER_ENV,
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ ran: 'true', status: '500' });
    expect(result.errors[0]).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/ answered 500 Internal Server Error.*\(2 attempts\)$/,
    );
    expect(result.summary).toContain('<td>Attempts</td><td>2</td>');
  });
});

describe('once a day', () => {
  const withApi = (api: GitHubApiStandIn, extra: Record<string, string | undefined> = {}) => ({
    ...RUNNER_ENV,
    ...api.env,
    ...extra,
  });

  /** The action at 09:05 Vienna on a winter day, with an endpoint and the API stand-in. */
  async function runAt0905(api: GitHubApiStandIn, extraEnv: Record<string, string | undefined> = {}) {
    const s = await endpoint();
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, now: WINTER_09_05, 'github-token': GITHUB_TOKEN },
      withApi(api, extraEnv),
    );
    return { s, result };
  }

  test("green runs that did not call, yesterday's call and this run itself do not count", async () => {
    const api = await githubApi([
      { id: 899, startedAt: '2026-01-15T07:00:40Z', steps: skipped }, // 08:00 local: before the day's window opened
      { id: 896, startedAt: '2026-01-15T08:02:00Z', steps: skipped }, // e.g. a backfill, which leaves no mark
      { id: 850, startedAt: '2026-01-14T08:01:00Z', steps: called }, // yesterday
      { id: 900, startedAt: '2026-01-15T08:04:00Z', steps: called }, // this run
      { id: 898, startedAt: '2026-01-15T08:02:00Z', conclusion: 'failure', steps: {} },
    ]);
    const { s, result } = await runAt0905(api);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.ran).toBe('true');
    expect(s.requests).toHaveLength(1);
    const listing = api.requests.find((r) => r.url.includes('/workflows/daily-job.yml/runs'));
    expect(listing?.url).toContain('status=success');
    expect(listing?.url).toContain('created=2026-01-14..2026-01-17');
    expect(listing?.headers.authorization).toBe(`token ${GITHUB_TOKEN}`);
    // Only the same-day candidate is looked into.
    expect(api.requests.filter((r) => r.url.includes('/jobs')).map((r) => r.url.split('?')[0])).toEqual([
      '/repos/acme/incidents/actions/runs/896/jobs',
    ]);
  });

  test('a run that already called today, found on a later page, makes this one skip', async () => {
    const earlier = Array.from({ length: 5 }, (_, i) => ({
      id: 800 + i,
      startedAt: `2026-01-14T0${i}:00:00Z`,
      steps: skipped,
    }));
    const api = await githubApi(
      [...earlier, { id: 897, startedAt: '2026-01-15T08:01:10Z', steps: { [CALL_MARKER_STEP]: 'success' } }],
      { pageSize: 2 },
    );
    const { s, result } = await runAt0905(api);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.ran).toBe('false');
    expect(result.outputs.reason).toBe(
      'already called for 2026-01-15 by run 897 (started 2026-01-15T08:01:10Z, https://github.com/acme/incidents/actions/runs/897)',
    );
    expect(api.requests.filter((r) => r.url.includes('/runs?')).length).toBe(3);
    expect(s.requests).toHaveLength(0);
  });

  test("a re-run of the run that made today's call does not call again", async () => {
    const api = await githubApi([
      {
        id: 900,
        startedAt: '2026-01-15T08:04:30Z',
        steps: {},
        earlierAttempts: [{ finishedAt: '2026-01-15T08:01:40Z', steps: called }],
      },
    ]);
    const { s, result } = await runAt0905(api, { GITHUB_RUN_ATTEMPT: '2' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.ran).toBe('false');
    expect(result.outputs.reason).toMatch(/^already called for 2026-01-15 by attempt 1 of this run, 900 /);
    expect(s.requests).toHaveLength(0);
  });

  test('a re-run calls when its earlier attempt did not call, or called on an earlier day', async () => {
    const api = await githubApi([
      {
        id: 900,
        startedAt: '2026-01-15T08:04:30Z',
        steps: {},
        earlierAttempts: [
          { finishedAt: '2026-01-14T08:01:40Z', steps: called }, // yesterday's call
          { finishedAt: '2026-01-15T07:30:00Z', steps: skipped }, // today, before the window
        ],
      },
    ]);
    const { s, result } = await runAt0905(api, { GITHUB_RUN_ATTEMPT: '3' });
    expect(result.outputs.ran).toBe('true');
    expect(s.requests).toHaveLength(1);
    const attemptsAsked = api.requests.filter((r) => r.url.includes('/runs/900/jobs'));
    expect(attemptsAsked.map((r) => new URL(r.url, 'http://x').searchParams.get('filter'))).toEqual(['all']);
  });

  test('force calls without asking the API', async () => {
    const api = await githubApi([{ id: 897, startedAt: '2026-01-15T08:01:10Z', steps: called }]);
    const s = await endpoint();
    const result = await runInProcess(
      run,
      {
        url: s.origin,
        token: TOKEN,
        now: '2026-01-15T14:00:00Z',
        force: 'true',
        'github-token': GITHUB_TOKEN,
      },
      withApi(api),
    );
    expect(result.outputs).toMatchObject({ ran: 'true', status: '200' });
    expect(api.requests).toHaveLength(0);
    expect(s.requests).toHaveLength(1);
  });

  test('under act, which sets no GITHUB_WORKFLOW_REF, the check is skipped with an info line', async () => {
    const api = await githubApi([{ id: 897, startedAt: '2026-01-15T08:01:10Z', steps: called }]);
    const { result } = await runAt0905(api, { ACT: 'true', GITHUB_WORKFLOW_REF: undefined });
    expect(result.stdout).toContain(
      'running under act without GITHUB_WORKFLOW_REF: the once-a-day check is skipped',
    );
    expect(result.outputs.ran).toBe('true');
    expect(api.requests).toHaveLength(0);
  });

  test('under act with a workflow ref and an API given, the check runs as on GitHub', async () => {
    const api = await githubApi([{ id: 897, startedAt: '2026-01-15T08:01:10Z', steps: called }]);
    const { s, result } = await runAt0905(api, { ACT: 'true' });
    expect(result.outputs.ran).toBe('false');
    expect(api.requests.length).toBeGreaterThan(0);
    expect(s.requests).toHaveLength(0);
  });

  test('when the API refuses, the step fails without calling and names the missing permission', async () => {
    const api = await githubApi([], {
      fail: (_req, res) => {
        json(res, 403, { message: 'Resource not accessible by integration' });
        return true;
      },
    });
    const { s, result } = await runAt0905(api);
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('GitHub API 403: Resource not accessible by integration');
    expect(result.errors[0]).toContain('`permissions: actions: read`');
    expect(s.requests).toHaveLength(0);
  });
});

describe('the tokens stay secret', () => {
  /** Everything a run shows, minus the mask commands that must carry the secrets. */
  function visible(result: ActionRun): string {
    const stdout = result.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    return [stdout, result.stderr, result.summary, JSON.stringify(result.outputs), ...result.errors].join(
      '\n',
    );
  }

  test.each([
    ['success', () => [200] as [number]],
    ['401 echoing the Authorization header', () => [401] as [number]],
    ['5xx until the retries run out', () => [503] as [number]],
  ])('%s', async (_name, answer) => {
    const api = await githubApi([]);
    const s = await endpoint(answer);
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, now: WINTER_09_05, retries: '1', 'github-token': GITHUB_TOKEN },
      { ...RUNNER_ENV, ...api.env },
    );
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      `::add-mask::${TOKEN}`,
      `::add-mask::${GITHUB_TOKEN}`,
    ]);
    expect(s.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(visible(result)).not.toContain(TOKEN);
    expect(visible(result)).not.toContain(GITHUB_TOKEN);
  });

  test('the GitHub API echoing its token in an error', async () => {
    const api = await githubApi([], {
      fail: (req, res) => {
        json(res, 401, { message: `Bad credentials: ${req.headers.authorization}` });
        return true;
      },
    });
    const s = await endpoint();
    const result = await runInProcess(
      run,
      { url: s.origin, token: TOKEN, now: WINTER_09_05, 'github-token': GITHUB_TOKEN },
      { ...RUNNER_ENV, ...api.env },
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('Bad credentials');
    expect(visible(result)).not.toContain(GITHUB_TOKEN);
  });

  test('a token with a line break is refused without being quoted', async () => {
    const s = await endpoint();
    const result = await runInProcess(
      run,
      { url: s.origin, token: `${TOKEN}\nX-Evil: 1`, now: WINTER_09_05 },
      RUNNER_ENV,
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(["input 'token': must be a single line without control characters"]);
    expect(visible(result)).not.toContain(TOKEN);
    expect(s.requests).toHaveLength(0);
  });
});
