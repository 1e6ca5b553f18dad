import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { CALL_MARKER_STEP } from '../src/earlier-call.js';
import { decide } from '../src/gate.js';
import { isKnownTimeZone, localClock } from '../src/local-clock.js';

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
  const schedule: { cron: string; timezone?: string }[] = workflow.on.schedule;
  const crons = schedule.map((s) => s.cron);
  const action = parse(read('actions/daily-job/action.yml'));
  const zone: string = action.inputs.timezone.default;
  const gate = { timezone: zone, time: action.inputs.time.default, windowMinutes: 60, force: false };

  /**
   * The instant a daily `M H * * *` cron with `timezone` fires on a local date: GitHub reads the cron
   * in that zone, so the local time is fixed and its UTC instant moves with daylight saving time.
   * The instant is found through the zone's own clock (Intl), not an offset written here.
   */
  const firesAt = (cron: string, date: string) => {
    const [minute, hour, ...rest] = cron.split(' ');
    expect(rest).toEqual(['*', '*', '*']);
    const wanted = `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
    const asUtc = Date.parse(`${date}T${wanted}:00Z`);
    // The zone's offset at that moment, twice: the second guess is exact unless a change lies between.
    let instant = asUtc;
    for (let i = 0; i < 2; i++) {
      const local = localClock(new Date(instant), zone);
      const localAsUtc = Date.parse(`${local.date}T${local.hhmm}:00Z`);
      instant += asUtc - localAsUtc;
    }
    const local = localClock(new Date(instant), zone);
    // A time skipped by a spring-forward change would not exist; none of ours is near 02:00-03:00.
    expect(`${local.date} ${local.hhmm}`).toBe(`${date} ${wanted}`);
    return new Date(instant);
  };
  const inWindow = (instant: Date) => decide({ now: instant, ...gate }).run;

  test("every trigger reads its cron in the action's time zone, a real IANA zone", () => {
    expect(zone).toBe('Europe/Vienna');
    expect(isKnownTimeZone(zone)).toBe(true);
    expect(schedule.map((s) => s.timezone)).toEqual(schedule.map(() => zone));
  });

  test('every day of 2026, summer and winter and both change days, at least two triggers land inside the window', () => {
    const fewest = { count: Infinity, date: '' };
    for (
      let day = new Date('2026-01-01T00:00:00Z');
      day.getUTCFullYear() === 2026;
      day.setUTCDate(day.getUTCDate() + 1)
    ) {
      const date = day.toISOString().slice(0, 10);
      const count = crons.filter((cron) => inWindow(firesAt(cron, date))).length;
      if (count < fewest.count) Object.assign(fewest, { count, date });
    }
    expect(fewest.count).toBeGreaterThanOrEqual(2);
  });

  test('the same local trigger is a different UTC instant in winter and summer (the zone, not us, knows DST)', () => {
    const first = crons[0];
    expect(firesAt(first, '2026-01-15').toISOString()).toBe('2026-01-15T08:07:00.000Z');
    // 29 March 2026: clocks went forward at 01:00 UTC, so 09:07 is already CEST.
    expect(firesAt(first, '2026-03-29').toISOString()).toBe('2026-03-29T07:07:00.000Z');
    // 25 October 2026: clocks went back at 01:00 UTC, so 09:07 is CET again.
    expect(firesAt(first, '2026-10-25').toISOString()).toBe('2026-10-25T08:07:00.000Z');
  });

  test('no trigger on the hour, when GitHub delays and drops scheduled runs most', () => {
    expect(crons.length).toBeGreaterThanOrEqual(2);
    expect(crons.filter((cron) => cron.split(' ')[0] === '0')).toEqual([]);
  });

  test('a manual trigger with force', () => {
    expect(workflow.on.workflow_dispatch.inputs.force).toMatchObject({ type: 'boolean', default: false });
  });

  test('only read permissions, and never two runs at once', () => {
    expect(workflow.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(workflow.concurrency).toEqual({ group: expect.any(String), 'cancel-in-progress': false });
  });

  test('checkout pinned by commit, with its version in a comment', () => {
    expect(steps[0].uses).toBe('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1');
    expect(text).toContain('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1');
  });

  test('the job runs in the daily-job environment, whose secret a branch cannot reach', () => {
    // A repository secret is given to any branch's copy of the workflow: anyone who can push could
    // dispatch a changed daily-job.yml and print the token. An environment restricted to the default
    // branch gives its secrets only to runs from there (docs/scheduling.md: configuration).
    expect(workflow.jobs['daily-job'].environment).toBe('daily-job');
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
