import { describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { IncidentsService } from '../src/incidents/incidents.service.js';
import { appPerSuite } from './app-harness.js';

/**
 * A failure while building the reply must not depend on the lane the request took: the plain
 * `GET /` answered before Express and the same request through Nest (a query string sends it
 * there) give the same 500 with a one-line reason, and neither leaves the client waiting.
 */
describe('a failure while answering GET /', () => {
  const suite = appPerSuite(1);
  const app = suite.app;

  it('answers 500 `error: <reason>` on both lanes, and the server keeps serving', async () => {
    const server = app().getHttpServer();
    const current = jest.spyOn(app().get(IncidentsService), 'current').mockImplementation(() => {
      throw new Error('view unavailable\n    at somewhere (internal.js:1:1)');
    });
    try {
      // A short timeout: an exception that escaped the listener would leave these unanswered.
      const fast = await request(server).get('/').timeout(2000);
      const nest = await request(server).get('/?via=nest').timeout(2000);
      for (const response of [fast, nest]) {
        expect(response.status).toBe(500);
        expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(response.text).toBe('error: view unavailable\n');
      }
      expect(current).toHaveBeenCalledTimes(2);
    } finally {
      current.mockRestore();
    }
    expect((await request(server).get('/')).status).toBe(200);
  });

  it('keeps Nest’s own answer for errors Nest knows, such as a 404', async () => {
    const response = await request(app().getHttpServer()).get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404 });
  });
});
