import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { appPerSuite, scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/**
 * `/` is negotiated as HTTP reads Accept, on both lanes alike: the plain path answered before
 * Express and the same request through Nest (a query string sends it there).
 */
describe('content negotiation on /', () => {
  const suite = appPerSuite(2);
  const app = suite.app;

  it.each<[string | undefined, string]>([
    [undefined, TEXT],
    ['*/*', TEXT],
    ['application/json', JSON_TYPE],
    ['APPLICATION/JSON', JSON_TYPE],
    ['Application/Json;Q=0.8, text/plain;q=0.2', JSON_TYPE],
    ['text/plain;q=0.2, application/json;q=0.8', JSON_TYPE],
    ['text/html, application/json;q=0.9', HTML],
    ['text/html;q=0.5, application/json;q=0.9', JSON_TYPE],
    ['text/*;q=0.5, application/*', JSON_TYPE],
    ['text/plain, application/json;q=0.5', TEXT],
    ['application/json;q=0, */*', TEXT],
    ['application/json;q=0', TEXT],
    ['application/vnd.example+json', TEXT],
  ])('Accept: %s answers %s on both lanes, with Vary: Accept', async (accept, type) => {
    for (const path of ['/', '/?via=nest']) {
      const call = request(app().getHttpServer()).get(path);
      const response = await (accept === undefined ? call : call.set('Accept', accept));
      expect([path, response.status, response.headers['content-type']]).toEqual([path, 200, type]);
      expect(response.headers.vary).toBe('Accept');
    }
  });

  it('an error answer varies on Accept too', async () => {
    // Only a bad file at start answers an error: later, the last good file is answered instead.
    const scratch = scratchDir();
    const { app: broken } = await startApp(testConfig(writeIncidents(scratch.dir, 'incidents: []\n')));
    try {
      for (const path of ['/', '/?via=nest']) {
        const response = await request(broken.getHttpServer()).get(path);
        expect([response.status, response.headers.vary]).toEqual([500, 'Accept']);
      }
    } finally {
      await broken.close();
      scratch.remove();
    }
  });
});
