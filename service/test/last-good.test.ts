import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { denseIncidents } from '@incidents-pipeline/test-support/dense-incidents';
import type { AppConfig } from '../src/config/app-config.js';
import {
  askUntil,
  binary,
  daysAgo,
  scratchDir,
  startApp,
  testConfig,
  writeIncidents,
} from './app-harness.js';

/** Just under INCIDENTS_MAX_BYTES: the largest file the service accepts, parsed in a worker. */
const NEAR_ONE_MIB = 1_040_000;

/** What a client and a scraper see of one running app. */
function observe(app: NestExpressApplication) {
  const get = (path: string) => request(app.getHttpServer()).get(path);
  return {
    get,
    /** `/` on both lanes as raw bytes: the plain GET before Express, and through Nest (a query string). */
    async both(): Promise<Array<{ status: number; body: Buffer }>> {
      const fast = await get('/').buffer(true).parse(binary);
      const nest = await get('/?via=nest').buffer(true).parse(binary);
      return [fast, nest].map(({ status, body }) => ({ status, body: body as Buffer }));
    },
    json: async () => (await get('/').set('Accept', 'application/json')).body as Record<string, unknown>,
    ready: async () => {
      const response = await get('/readyz');
      return [response.status, response.text];
    },
    async metric(name: string): Promise<number | undefined> {
      const text = (await get('/metrics')).text;
      const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
      return value === undefined ? undefined : Number(value);
    },
  };
}

/** A file of at least `bytes` that parses quickly (mostly comments), whose newest incident is `days` ago. */
function largeButQuick(bytes: number, days: number): string {
  return `# ${'x'.repeat(100)}\n`.repeat(Math.ceil(bytes / 103)) + `incidents:\n  - date: ${daysAgo(days)}\n`;
}

describe('a file that turns bad while the service runs', () => {
  const scratch = scratchDir();
  let app: NestExpressApplication;
  let file: string;
  // Each case starts from its own good file, so an answer left over from the previous case shows.
  let serial = 0;
  const good = (days: number) => `# version ${(serial += 1)}\nincidents:\n  - date: ${daysAgo(days)}\n`;

  beforeAll(async () => {
    file = writeIncidents(scratch.dir, good(2));
    ({ app } = await startApp(testConfig(file)));
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  it.each<[string, () => void, () => RegExp | string]>([
    [
      'malformed YAML',
      () => writeIncidents(scratch.dir, 'incidents:\n  - date: [2025-01-01\n  - oops: }\n'),
      () => /^malformed YAML at line \d+, column \d+: .+/,
    ],
    [
      'an empty list',
      () => writeIncidents(scratch.dir, 'incidents: []\n'),
      () => 'the "incidents" list is empty',
    ],
    [
      'no incidents list',
      () => writeIncidents(scratch.dir, `events:\n  - date: ${daysAgo(1)}\n`),
      () => 'no "incidents" key in the file',
    ],
    [
      'no valid date',
      () => writeIncidents(scratch.dir, 'incidents:\n  - date: 2025-13-40\n  - date: soon\n'),
      () => 'none of the 2 incidents has a valid YYYY-MM-DD date',
    ],
    [
      'only future dates',
      () => writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(-30)}\n`),
      () => /^no incident dated on or before today \(\d{4}-\d{2}-\d{2} in UTC\)$/,
    ],
    ['a vanished file', () => rmSync(file), () => `incidents file ${file} does not exist`],
    [
      'a directory in place of the file (unreadable)',
      () => {
        rmSync(file);
        mkdirSync(file);
      },
      () => `incidents file ${file} is a directory`,
    ],
    [
      'a file over INCIDENTS_MAX_BYTES',
      () => writeIncidents(scratch.dir, largeButQuick(2 * 1_048_576, 1)),
      () =>
        new RegExp(
          `^incidents file ${file} is \\d+ bytes, over the limit of 1048576 \\(INCIDENTS_MAX_BYTES\\)$`,
        ),
    ],
  ])(
    '%s: the last good answer stays on both lanes, and the file is reported rejected',
    async (_kind, breakFile, reason) => {
      rmSync(file, { recursive: true, force: true });
      writeIncidents(scratch.dir, good(2));
      const { both, json, ready, metric } = observe(app);
      const before = await both();
      expect(before.map(({ status }) => status)).toEqual([200, 200]);
      expect(before[0].body.toString().split('\n', 1)[0]).toBe('status: 2 days since the last incident');
      const jsonBefore = await json();
      expect(jsonBefore.rejected).toBeUndefined();
      expect(await metric('incidents_file_last_reload_successful')).toBe(1);
      const loadedAt = await metric('incidents_file_last_good_load_timestamp_seconds');
      const errorsBefore = await metric('incidents_reload_errors_total');

      const brokenAt = Date.now();
      breakFile();
      // Several checks of the broken file: the answer holds, and the failure counts once.
      for (let check = 0; check < 3; check += 1) {
        const during = await both();
        for (const { status, body } of during) {
          expect(status).toBe(200);
          expect(body.equals(before[0].body)).toBe(true);
        }
        expect(await ready()).toEqual([200, 'ready\n']);
      }
      const rejected = await json();
      const { rejected: report, ...rest } = rejected as { rejected: { reason: string; since: string } };
      expect(rest).toEqual(jsonBefore);
      const expected = reason();
      if (typeof expected === 'string') expect(report.reason).toBe(expected);
      else expect(report.reason).toMatch(expected);
      expect(Date.parse(report.since)).toBeGreaterThanOrEqual(Math.floor(brokenAt / 1000) * 1000);
      expect(Date.parse(report.since)).toBeLessThanOrEqual(Date.now());
      expect(await metric('incidents_file_last_reload_successful')).toBe(0);
      expect(await metric('incidents_file_last_good_load_timestamp_seconds')).toBe(loadedAt);
      expect(await metric('incidents_reload_errors_total')).toBe(errorsBefore! + 1);
      // The answer served is still a good one.
      expect(await metric('incidents_file_valid')).toBe(1);
      expect(await metric('incidents_days_since_last_incident')).toBe(2);

      // Good again: the new file is the answer, and the rejection is gone.
      rmSync(file, { recursive: true, force: true });
      writeIncidents(scratch.dir, good(5));
      const after = await both();
      for (const { status, body } of after) {
        expect(status).toBe(200);
        expect(body.toString().split('\n', 1)[0]).toBe('status: 5 days since the last incident');
      }
      expect((await json()).rejected).toBeUndefined();
      expect(await metric('incidents_file_last_reload_successful')).toBe(1);
      expect(await metric('incidents_file_last_good_load_timestamp_seconds')).toBeGreaterThanOrEqual(
        loadedAt!,
      );
      expect(await metric('incidents_reload_errors_total')).toBe(errorsBefore! + 1);
    },
  );

  it('a second, different failure updates the reason but keeps the time it began', async () => {
    writeIncidents(scratch.dir, good(3));
    const { json, metric } = observe(app);
    expect((await json()).days).toBe(3);
    const errorsBefore = await metric('incidents_reload_errors_total');
    writeIncidents(scratch.dir, 'incidents: []\n');
    const first = (await json()).rejected as { reason: string; since: string };
    rmSync(file);
    const second = (await json()).rejected as { reason: string; since: string };
    expect(first.reason).toBe('the "incidents" list is empty');
    expect(second).toEqual({ reason: `incidents file ${file} does not exist`, since: first.since });
    expect((await json()).days).toBe(3);
    expect(await metric('incidents_reload_errors_total')).toBe(errorsBefore! + 2);
    writeIncidents(scratch.dir, good(3));
    expect((await json()).rejected).toBeUndefined();
  });
});

describe('limits of the parse in the worker', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function running(overrides: Partial<AppConfig>) {
    const scratch = scratchDir();
    cleanups.push(scratch.remove);
    const file = writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(4)}\n`);
    const { app } = await startApp(testConfig(file, overrides));
    cleanups.push(() => app.close());
    return { app, dir: scratch.dir, ...observe(app) };
  }

  it('a parse over INCIDENTS_PARSE_TIMEOUT_MS is ended and rejected, and the last good answer stays', async () => {
    // The worker alone takes longer than this to start; the dense file then takes a while to parse.
    const { dir, get, json, ready, metric } = await running({ parseTimeoutMs: 100 });
    const before = (await get('/')).text;
    writeIncidents(dir, denseIncidents(NEAR_ONE_MIB, daysAgo(1)));
    const rejected = await askUntil(json, (body) => body.rejected !== undefined);
    expect(rejected).toMatchObject({
      days: 4,
      rejected: { reason: 'parsing took longer than 100 ms (INCIDENTS_PARSE_TIMEOUT_MS)' },
    });
    expect((await get('/')).text).toBe(before);
    expect(await ready()).toEqual([200, 'ready\n']);
    expect(await metric('incidents_file_last_reload_successful')).toBe(0);
    expect(await metric('incidents_reload_errors_total')).toBe(1);
    // The same bytes are not parsed again at every check, only a changed file is.
    writeIncidents(dir, `incidents:\n  - date: ${daysAgo(6)}\n`);
    expect(await json()).toMatchObject({ days: 6 });
    expect((await json()).rejected).toBeUndefined();
  }, 60_000);

  it('a parse that needs more memory than the worker may use is rejected, not the process killed', async () => {
    const { dir, json, ready } = await running({ maxFileBytes: 16 * 1_048_576 });
    writeIncidents(dir, denseIncidents(8 * 1_048_576, daysAgo(1)));
    const rejected = await askUntil(json, (body) => body.rejected !== undefined, 60_000);
    expect(rejected).toMatchObject({
      days: 4,
      rejected: {
        reason: expect.stringMatching(/^parsing the file needs more than the parser's \d+ MB of heap$/),
      },
    });
    expect(await ready()).toEqual([200, 'ready\n']);
  }, 90_000);

  it('closing the application mid-parse ends the worker at once', async () => {
    // Every event of every worker, whoever ends it: 'message' is a finished parse, 'exit' a gone thread.
    const emit = jest.spyOn(Worker.prototype, 'emit');
    cleanups.push(() => emit.mockRestore());
    const events = () => emit.mock.calls.map(([event]) => event);
    const { app, dir, get } = await running({});
    // The worker's start (it loads the parser's TypeScript) and then the dense file's parse take
    // several hundred milliseconds; the next request starts them.
    writeIncidents(dir, denseIncidents(NEAR_ONE_MIB, daysAgo(1)));
    expect((await get('/')).text.split('\n', 1)[0]).toBe('status: 4 days since the last incident');
    await askUntil(
      async () => events(),
      (seen) => seen.includes('online'),
    );
    const closing = Date.now();
    await app.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(events()).toContain('exit');
    expect(events()).not.toContain('message');
  }, 60_000);
});
