import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../src/config/app-config.js';
import { IncidentsMetrics } from '../src/incidents/incidents.metrics.js';
import {
  IncidentsFileError,
  type IncidentsFileContent,
  type IncidentsRepository,
} from '../src/incidents/incidents.repository.js';
import { IncidentsService } from '../src/incidents/incidents.service.js';
import { MetricsRegistry } from '../src/metrics/metrics.registry.js';
import { testConfig } from './app-harness.js';

/** A file held in memory: the test decides what stat() and read() report. */
class FakeFile {
  content: IncidentsFileContent;
  reads = 0;
  /** When set, stat() fails as for a file that is gone. */
  missing = false;

  constructor(text: string, version = 'v1', modifiedMs = 0) {
    this.content = { version, bytes: Buffer.from(text), modifiedMs };
  }

  /** A new version of the file, old enough that its version is trusted. */
  write(text: string): void {
    this.content = { version: `${this.content.version}+`, bytes: Buffer.from(text), modifiedMs: 0 };
  }

  asRepository(): IncidentsRepository {
    return {
      path: '/fake/incidents.yaml',
      currentVersion: () => {
        if (this.missing) throw new IncidentsFileError('incidents file /fake/incidents.yaml does not exist');
        return this.content.version;
      },
      read: () => {
        this.reads += 1;
        return this.content;
      },
    } as unknown as IncidentsRepository;
  }
}

function service(
  file: FakeFile,
  config: Partial<AppConfig> = {},
  registry = new MetricsRegistry(),
): IncidentsService {
  const metrics = new IncidentsMetrics(registry);
  return new IncidentsService(testConfig('/fake/incidents.yaml', config), file.asRepository(), metrics);
}

const at = (iso: string) => Date.parse(iso);
const status = (view: { text: Buffer }) => view.text.toString().split('\n', 1)[0];
const json = (view: { json: Buffer }) => JSON.parse(view.json.toString()) as Record<string, unknown>;

// The service logs loads and rejections through Nest's static Logger; outside an app that would
// print to the test output, so it is silenced here.
beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

describe('IncidentsService', () => {
  it('counts one more day exactly at midnight in the configured zone', () => {
    const incidents = service(new FakeFile('incidents:\n  - date: 2026-03-01\n'), {
      timeZone: 'Europe/Vienna',
    });
    // 2026-03-03 23:59:59.999 in Vienna (UTC+1) is 22:59:59.999 UTC.
    expect(status(incidents.current(at('2026-03-03T22:59:59.999Z')))).toBe(
      'status: 2 days since the last incident',
    );
    expect(status(incidents.current(at('2026-03-03T23:00:00.000Z')))).toBe(
      'status: 3 days since the last incident',
    );
  });

  it('reuses the rendered view for the rest of the day', () => {
    const file = new FakeFile('incidents:\n  - date: 2026-03-01\n');
    const incidents = service(file);
    const morning = incidents.current(at('2026-03-02T06:00:00Z'));
    expect(incidents.current(at('2026-03-02T23:59:59Z'))).toBe(morning);
    expect(file.reads).toBe(1);
    const nextDay = incidents.current(at('2026-03-03T00:00:00Z'));
    expect(nextDay).not.toBe(morning);
    expect(status(nextDay)).toBe('status: 2 days since the last incident');
    // A new day renders again from the cached parse; the file is not read for it.
    expect(file.reads).toBe(1);
  });

  it('a future incident starts counting on its day', () => {
    const incidents = service(new FakeFile('incidents:\n  - date: 2026-03-10\n  - date: 2026-03-01\n'));
    expect(status(incidents.current(at('2026-03-09T12:00:00Z')))).toBe(
      'status: 8 days since the last incident',
    );
    expect(status(incidents.current(at('2026-03-10T00:00:00Z')))).toBe(
      'status: 0 days since the last incident',
    );
  });

  it('re-reads a file modified too recently for its version to be trusted', () => {
    const justNow = Date.now();
    const file = new FakeFile('incidents:\n  - date: 2026-03-01\n', 'same-version', justNow);
    const incidents = service(file);
    const now = at('2026-03-05T12:00:00Z');
    expect(status(incidents.current(now))).toBe('status: 4 days since the last incident');
    // Same version string, new bytes: what a same-size write within one mtime tick looks like.
    file.content = { ...file.content, bytes: Buffer.from('incidents:\n  - date: 2026-03-02\n') };
    expect(status(incidents.current(now + 1))).toBe('status: 3 days since the last incident');
  });

  it('trusts the version of a file that was already old when read', () => {
    const file = new FakeFile('incidents:\n  - date: 2026-03-01\n', 'same-version', Date.now() - 60_000);
    const incidents = service(file);
    const now = at('2026-03-05T12:00:00Z');
    incidents.current(now);
    incidents.current(now + 1);
    incidents.current(now + 2);
    expect(file.reads).toBe(1);
  });
});

describe('IncidentsService after a rejected reload', () => {
  const good = 'incidents:\n  - date: 2026-03-01\n';

  it('answers the last good file, and its day count still moves on at midnight', () => {
    const file = new FakeFile(good);
    const incidents = service(file);
    const loaded = incidents.current(at('2026-03-05T12:00:00Z'));
    file.write('incidents:\n  - date: [2026-03-04\n');
    const rejected = incidents.current(at('2026-03-05T13:00:00Z'));
    expect(rejected.text.equals(loaded.text)).toBe(true);
    expect(json(rejected)).toEqual({
      ...json(loaded),
      rejected: {
        reason: expect.stringMatching(/^malformed YAML at line 3, column 1: /),
        since: '2026-03-05T13:00:00.000Z',
      },
    });
    const nextDay = incidents.current(at('2026-03-06T00:00:00Z'));
    expect(status(nextDay)).toBe('status: 5 days since the last incident');
    expect(nextDay.ok).toBe(true);
    expect(json(nextDay)).toMatchObject({ days: 5, rejected: { since: '2026-03-05T13:00:00.000Z' } });
    // The rejected version was read once; the new day did not read it again.
    expect(file.reads).toBe(2);
  });

  it('accepts a rejected file on the day its first incident comes, without a new version', () => {
    const file = new FakeFile(good);
    const incidents = service(file);
    incidents.current(at('2026-03-05T12:00:00Z'));
    file.write('incidents:\n  - date: 2026-03-10\n');
    const waiting = incidents.current(at('2026-03-05T12:00:01Z'));
    expect(json(waiting)).toMatchObject({
      days: 4,
      rejected: { reason: expect.stringMatching(/^no incident dated/) },
    });
    const due = incidents.current(at('2026-03-10T00:00:00Z'));
    expect(json(due)).toMatchObject({ days: 0, lastIncident: { date: '2026-03-10' } });
    expect(json(due).rejected).toBeUndefined();
  });

  it('logs and counts a rejection once per distinct reason, not once per check', async () => {
    const warnings: unknown[][] = [];
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (...params: unknown[]) => warnings.push(params),
    });
    try {
      const registry = new MetricsRegistry();
      const file = new FakeFile(good);
      const incidents = service(file, {}, registry);
      const now = at('2026-03-05T12:00:00Z');
      incidents.current(now);
      file.missing = true;
      for (let check = 1; check <= 5; check += 1) incidents.current(now + check);
      file.missing = false;
      file.write('incidents: []\n');
      for (let check = 6; check <= 10; check += 1) incidents.current(now + check);
      expect(warnings).toEqual([
        [
          'incidents file rejected',
          {
            path: '/fake/incidents.yaml',
            reason: 'incidents file /fake/incidents.yaml does not exist',
            answering: 'the last good file, loaded at 2026-03-05T12:00:00.000Z',
          },
          'IncidentsService',
        ],
        [
          'incidents file rejected',
          {
            path: '/fake/incidents.yaml',
            reason: 'the "incidents" list is empty',
            bytes: 14,
            answering: 'the last good file, loaded at 2026-03-05T12:00:00.000Z',
          },
          'IncidentsService',
        ],
      ]);
      expect(await registry.metrics()).toMatch(/^incidents_reload_errors_total 2$/m);
    } finally {
      Logger.overrideLogger(false);
    }
  });
});
