import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { IncidentsFastLane } from '../src/incidents/incidents-fast-lane.js';
import { WALLBOARD_CSP } from '../src/wallboard/wallboard-assets.js';
import { binary, daysAgo, scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** What browsers send for a page load, as of their 2025 releases. */
const CHROME =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,' +
  'application/signed-exchange;v=b3;q=0.7';
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const SAFARI = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the wallboard page on /', () => {
  const scratch = scratchDir();
  const fileText = `incidents:\n  - date: ${daysAgo(1)}\n    title: Disk full on the build host\n`;
  let app: NestExpressApplication;
  let fastLane: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    // Sees every GET / the fast lane looks at, and whether it answered it (true) or passed it to Nest.
    fastLane = jest.spyOn(IncidentsFastLane.prototype as unknown as { answer: () => boolean }, 'answer');
    ({ app } = await startApp(testConfig(writeIncidents(scratch.dir, fileText))));
  });
  afterAll(async () => {
    await app?.close();
    fastLane.mockRestore();
    scratch.remove();
  });

  it.each<[string, string | undefined, string]>([
    ['no Accept', undefined, TEXT],
    ["curl's */*", '*/*', TEXT],
    ['text/plain', 'text/plain', TEXT],
    ['Chrome', CHROME, HTML],
    ['Firefox', FIREFOX, HTML],
    ['Safari', SAFARI, HTML],
    ['text/html', 'text/html', HTML],
    ['JSON', 'application/json', JSON_TYPE],
    ['text/html ranked below text/plain', 'text/plain, text/html;q=0.5', TEXT],
  ])('%s (Accept: %s) gets %s, with Vary: Accept', async (_name, accept, type) => {
    const call = request(app.getHttpServer()).get('/');
    const response = await (accept === undefined ? call : call.set('Accept', accept));
    expect([response.status, response.headers['content-type'], response.headers.vary]).toEqual([
      200,
      type,
      'Accept',
    ]);
  });

  it('text clients get the same bytes as before the page existed, from the fast lane', async () => {
    const expected = Buffer.from(`status: 1 day since the last incident\n${fileText}`, 'utf8');
    fastLane.mockClear();
    for (const accept of [undefined, '*/*', 'text/plain', 'text/*']) {
      const call = request(app.getHttpServer()).get('/').buffer(true).parse(binary);
      const response = await (accept === undefined ? call : call.set('Accept', accept));
      expect((response.body as Buffer).equals(expected)).toBe(true);
      expect(response.headers['content-length']).toBe(String(expected.length));
      expect(response.headers['content-security-policy']).toBeUndefined();
    }
    const answered = () => fastLane.mock.results.map((result: { value: unknown }) => result.value);
    expect(answered()).toEqual([true, true, true, true]);
    // The page is answered by Nest: the fast lane passes it on.
    await request(app.getHttpServer()).get('/').set('Accept', CHROME);
    expect(answered()).toEqual([true, true, true, true, false]);
  });

  it('the page carries the strict CSP and names only its own files', async () => {
    const response = await request(app.getHttpServer()).get('/').set('Accept', CHROME);
    expect(response.headers['content-security-policy']).toBe(WALLBOARD_CSP);
    expect(WALLBOARD_CSP).not.toContain('unsafe');
    const html = response.text;
    // No inline script or style, which the CSP would refuse anyway.
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const script of html.match(/<script[^>]*>/gi) ?? []) expect(script).toMatch(/\ssrc="\/[a-z]/);
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(urls.sort()).toEqual(['/wallboard.css', '/wallboard.js']);
  });

  it.each([
    ['/wallboard.js', 'text/javascript; charset=utf-8'],
    ['/wallboard.css', 'text/css; charset=utf-8'],
  ])('%s is served from the service as %s', async (path, type) => {
    const response = await request(app.getHttpServer()).get(path);
    expect([response.status, response.headers['content-type']]).toEqual([200, type]);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(response.headers['content-length'])).toBeGreaterThan(500);
  });

  it('the page loads when the file turns bad, and the JSON it asks for says the file was rejected', async () => {
    writeIncidents(scratch.dir, 'incidents: []\n');
    const page = await request(app.getHttpServer()).get('/').set('Accept', CHROME);
    expect([page.status, page.headers['content-type']]).toEqual([200, HTML]);
    // A file that turns bad while the service runs keeps the last good answer, reported as rejected.
    const json = await request(app.getHttpServer()).get('/').set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body.rejected).toEqual({
      reason: expect.stringContaining('empty'),
      since: expect.any(String),
    });
  });
});
