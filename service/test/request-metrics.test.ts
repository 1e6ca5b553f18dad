import { describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { IncidentsService } from '../src/incidents/incidents.service.js';
import { appPerSuite } from './app-harness.js';

const DELAY_MS = 60;

/** Holds the event loop like a slow synchronous handler would, so the delay is part of the reply. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('http_request_duration_seconds', () => {
  const suite = appPerSuite(1);
  const app = suite.app;

  async function recordedSeconds(): Promise<{ sum: number; count: number }> {
    const text = (await request(app().getHttpServer()).get('/metrics')).text;
    const value = (name: string) =>
      Number(
        new RegExp(`^http_request_duration_seconds_${name}\\{method="GET",route="/"\\} (\\S+)$`, 'm').exec(
          text,
        )?.[1] ?? 0,
      );
    return { sum: value('sum'), count: value('count') };
  }

  it.each([
    ['the fast lane', '/'],
    ['Nest', '/?via=nest'],
  ])('counts the whole time of a slow reply through %s', async (_lane, path) => {
    const before = await recordedSeconds();
    const service = app().get(IncidentsService);
    const current = service.current.bind(service);
    const slow = jest.spyOn(service, 'current').mockImplementation(() => {
      busyFor(DELAY_MS);
      return current();
    });
    try {
      expect((await request(app().getHttpServer()).get(path)).status).toBe(200);
    } finally {
      slow.mockRestore();
    }
    const after = await recordedSeconds();
    expect(after.count).toBe(before.count + 1);
    expect(after.sum - before.sum).toBeGreaterThanOrEqual(DELAY_MS / 1000);
  });
});
