import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { CALL_MARKER_STEP } from '../src/earlier-call.js';
import { decide } from '../src/gate.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

const text = read('.github/workflows/daily-job.yml');
const workflow = parse(text);
const steps: Step[] = workflow.jobs['daily-job'].steps;
const actionStep = steps.find((s) => s.uses === './actions/daily-job');

describe('.github/workflows/daily-job.yml', () => {
  test('two UTC crons, one per offset Vienna can have, and a manual trigger with force', () => {
    expect(workflow.on.schedule).toEqual([{ cron: '0 7 * * *' }, { cron: '0 8 * * *' }]);
    expect(workflow.on.workflow_dispatch.inputs.force).toMatchObject({ type: 'boolean', default: false });
  });

  test('each cron is the one that runs in one season', () => {
    const runs = (cron: string, date: string) =>
      decide({
        now: new Date(`${date}T0${cron.split(' ')[1]}:00:00Z`),
        timezone: 'Europe/Vienna',
        time: '09:00',
        windowMinutes: 60,
        force: false,
      }).run;
    expect(workflow.on.schedule.map((s: { cron: string }) => runs(s.cron, '2026-07-15'))).toEqual([
      true,
      false,
    ]);
    expect(workflow.on.schedule.map((s: { cron: string }) => runs(s.cron, '2026-01-15'))).toEqual([
      false,
      true,
    ]);
  });

  test('only read permissions, and never two runs at once', () => {
    expect(workflow.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(workflow.concurrency).toEqual({ group: expect.any(String), 'cancel-in-progress': false });
  });

  test('checkout pinned by commit, with its version in a comment', () => {
    expect(steps[0].uses).toBe('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1');
    expect(text).toContain('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1');
  });

  test('the action gets the URL from a variable, the tokens from secrets', () => {
    expect(actionStep?.with).toMatchObject({
      url: '${{ vars.DAILY_JOB_URL }}',
      token: '${{ secrets.DAILY_JOB_TOKEN }}',
      'github-token': '${{ github.token }}',
    });
  });

  test('the step the once-a-day check looks for runs only after a call', () => {
    const marker = steps.find((s) => s.name === CALL_MARKER_STEP);
    expect(marker).toBeDefined();
    expect(marker?.if).toContain(`steps.${actionStep?.id}.outputs.ran == 'true'`);
    expect(steps.indexOf(marker!)).toBeGreaterThan(steps.indexOf(actionStep!));
  });

  test('no expression inside a run script: values reach scripts through env', () => {
    for (const step of steps) if (step.run) expect(step.run).not.toContain('${{');
  });

  test('the act payload is one of the schedules', () => {
    const payload = JSON.parse(read('.github/act/schedule.json'));
    expect(workflow.on.schedule.map((s: { cron: string }) => s.cron)).toContain(payload.schedule);
  });
});

describe('actions/daily-job/action.yml', () => {
  const action = parse(read('actions/daily-job/action.yml'));

  test('inputs and outputs as designed, on node24', () => {
    expect(Object.keys(action.inputs)).toEqual([
      'url',
      'token',
      'method',
      'body',
      'timezone',
      'time',
      'window-minutes',
      'now',
      'force',
      'retries',
      'timeout-seconds',
      'github-token',
    ]);
    expect(Object.keys(action.outputs)).toEqual(['ran', 'reason', 'status', 'local-time']);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  test('every input the workflow passes exists', () => {
    for (const name of Object.keys(actionStep?.with ?? {}))
      expect(Object.keys(action.inputs)).toContain(name);
  });
});
