import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { runAct, type ActRun } from '@incidents-pipeline/devtools/act/run';
import { decide } from '../src/gate.js';
import { CALL_MARKER_STEP } from '../src/earlier-call.js';
import {
  REPOSITORY,
  startGitHubApi,
  WORKFLOW_REF,
  type GitHubApiStandIn,
  type StandInRun,
} from './github-api-stand-in.js';
import { startServer, type LoopbackServer } from './loopback-server.js';

/**
 * daily-job.yml under act (issue 15, cases 1 and 2): the real workflow, the committed bundle, a real
 * endpoint on loopback. The once-a-day check asks the Actions API stand-in of the unit tests, which
 * plays GitHub's bookkeeping: after a run, the test records it there with the step conclusions act
 * reported, as GitHub records a finished run.
 */

const TOKEN = 'daily-job-act-token-7f3e91c2';
const WORKFLOW = '.github/workflows/daily-job.yml';
const GATE = { timezone: 'Europe/Vienna', time: '09:00', windowMinutes: 60 } as const;

let endpoint: LoopbackServer;
let api: GitHubApiStandIn;
const runs: StandInRun[] = [];
const cacheDir = tempDir('act-daily-job-').dir;
let nextRunId = 7001;
const timings: string[] = [];

beforeAll(async () => {
  endpoint = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  api = await startGitHubApi(runs);
});

afterAll(async () => {
  await endpoint.close();
  await api.close();
  process.stdout.write(`daily-job.yml under act: ${timings.join(', ')}\n`);
});

/** One act run of the workflow; returns it with the endpoint calls it made. */
async function dailyJob(event: string, extra: string[], label: string) {
  const before = endpoint.requests.length;
  const runId = nextRunId++;
  const startedAt = new Date();
  const run = await runAct(
    [
      event,
      '-W',
      WORKFLOW,
      '--var',
      `DAILY_JOB_URL=${endpoint.origin}/daily`,
      '-s',
      `DAILY_JOB_TOKEN=${TOKEN}`,
      // The once-a-day check: a token, the workflow's name and run, and the API stand-in.
      '-s',
      'GITHUB_TOKEN=act-test-github-token',
      '--env',
      `GITHUB_API_URL=${api.origin}`,
      '--env',
      `GITHUB_REPOSITORY=${REPOSITORY}`,
      '--env',
      `GITHUB_WORKFLOW_REF=${WORKFLOW_REF}`,
      '--env',
      `GITHUB_RUN_ID=${runId}`,
      ...extra,
    ],
    { cacheDir },
  );
  timings.push(`${label} ${(run.durationMs / 1000).toFixed(1)} s`);
  return { run, runId, startedAt, calls: endpoint.requests.slice(before) };
}

/** What GitHub would list for a finished run: its id, start and each step's conclusion. */
function recordAsGitHubWould(run: ActRun, runId: number, startedAt: Date) {
  const steps: StandInRun['steps'] = {};
  for (const step of run.steps.filter((s) => s.jobId === 'daily-job'))
    steps[step.step] = step.result as 'success' | 'failure' | 'skipped';
  runs.push({
    id: runId,
    startedAt: startedAt.toISOString(),
    steps,
    conclusion: run.exitCode === 0 ? 'success' : 'failure',
  });
}

function expectNoTokenIn(run: ActRun) {
  expect(run.output.length).toBeGreaterThan(0);
  expect(run.output).not.toContain(TOKEN);
}

describe('daily-job.yml by workflow_dispatch', () => {
  test('now inside the window: exactly one call, with the bearer token; the token is never printed', async () => {
    const { run, calls } = await dailyJob(
      'workflow_dispatch',
      ['--input', 'now=2026-01-15T08:10:00Z'],
      'now inside',
    );
    expect(run.jobs).toEqual({ 'daily-job': 'success' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/daily' });
    expect(calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectNoTokenIn(run);
  });

  test('now outside the window: no call', async () => {
    const { run, calls } = await dailyJob(
      'workflow_dispatch',
      ['--input', 'now=2026-01-15T12:00:00Z'],
      'now outside',
    );
    expect(run.jobs).toEqual({ 'daily-job': 'success' });
    expect(calls).toHaveLength(0);
    expectNoTokenIn(run);
  });

  let forced: { run: ActRun; runId: number; startedAt: Date } | undefined;

  test('force: one call, whatever the clock says, and the run marks its day as called', async () => {
    const result = await dailyJob('workflow_dispatch', ['--input', 'force=true'], 'force');
    expect(result.run.jobs).toEqual({ 'daily-job': 'success' });
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.run.steps).toContainEqual({
      jobId: 'daily-job',
      step: CALL_MARKER_STEP,
      result: 'success',
    });
    expectNoTokenIn(result.run);
    forced = result;
  });

  test('a second run inside the window of the same day: no second call (the once-a-day check)', async () => {
    if (!forced) throw new Error('needs the force run before it');
    recordAsGitHubWould(forced.run, forced.runId, forced.startedAt);
    // The window of the day the forced run called for, as the gate counts days.
    const { jobDate } = decide({ now: forced.startedAt, ...GATE, force: false });
    const insideThatWindow = [`${jobDate}T07:10:00Z`, `${jobDate}T08:10:00Z`].find((iso) => {
      const decision = decide({ now: new Date(iso), ...GATE, force: false });
      return decision.run && decision.jobDate === jobDate;
    });
    expect(insideThatWindow).toBeDefined();
    const apiCallsBefore = api.requests.length;
    const { run, calls } = await dailyJob(
      'workflow_dispatch',
      ['--input', `now=${insideThatWindow}`],
      'second in window',
    );
    expect(run.jobs).toEqual({ 'daily-job': 'success' });
    expect(api.requests.length).toBeGreaterThan(apiCallsBefore);
    expect(calls).toHaveLength(0);
    expectNoTokenIn(run);
  });
});

describe('daily-job.yml by schedule', () => {
  test('the real clock decides, as the gate says for this instant', async () => {
    const expected = () => decide({ now: new Date(), ...GATE, force: false }).run;
    const before = expected();
    const { run, calls } = await dailyJob(
      'schedule',
      ['-e', '.github/act/schedule.json', '-s', 'GITHUB_TOKEN='],
      'schedule',
    );
    const after = expected();
    expect(run.jobs).toEqual({ 'daily-job': 'success' });
    // Only a run that straddles the window's edge may go either way.
    const allowed = [...new Set([before, after])].map((due) => (due ? 1 : 0));
    expect(allowed).toContain(calls.length);
    if (before === after) expect(calls).toHaveLength(before ? 1 : 0);
    expectNoTokenIn(run);
  });
});
