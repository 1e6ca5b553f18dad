import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { denseIncidents } from '@incidents-pipeline/test-support/dense-incidents';
import { appPerSuite, askUntil, daysAgo, writeIncidents } from './app-harness.js';

/** Just under INCIDENTS_MAX_BYTES: the largest file the service accepts, and the slowest to parse. */
const NEAR_ONE_MIB = 1_040_000;

describe('reloading a large file', () => {
  const suite = appPerSuite(5);
  const app = suite.app;

  const get = (path: string) => request(app().getHttpServer()).get(path);
  const statusOf = (text: string) => text.split('\n', 1)[0];

  it('answers requests sent during the reload before the reload ends', async () => {
    expect(statusOf((await get('/')).text)).toBe('status: 5 days since the last incident');
    writeIncidents(suite.dir, denseIncidents(NEAR_ONE_MIB, daysAgo(2)));

    // The first request sees the change and starts the reload; it and the ones after it are
    // answered from the previous file while the new one is parsed.
    const first = await get('/');
    const during = await Promise.all([get('/'), get('/healthz'), get('/readyz')]);
    for (const response of [first, ...during]) expect(response.status).toBe(200);
    expect(statusOf(first.text)).toBe('status: 5 days since the last incident');
    expect(statusOf(during[0].text)).toBe('status: 5 days since the last incident');

    const reloaded = await askUntil(
      () => get('/'),
      ({ text }) => statusOf(text) !== 'status: 5 days since the last incident',
      60_000,
    );
    expect(statusOf(reloaded.text)).toBe('status: 2 days since the last incident');
    expect(reloaded.text.length).toBeGreaterThan(NEAR_ONE_MIB);
  }, 90_000);
});
