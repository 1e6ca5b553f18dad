import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ShutdownState } from '../src/lifecycle/shutdown-state.js';
import { appPerSuite } from './app-harness.js';

describe('readiness during shutdown', () => {
  const suite = appPerSuite(1);
  const app = suite.app;

  it('turns /readyz to 503 the moment shutdown begins, while / and /healthz keep answering', async () => {
    const server = app().getHttpServer();
    expect((await request(server).get('/readyz')).status).toBe(200);
    app().get(ShutdownState).begin('SIGTERM');
    const ready = await request(server).get('/readyz');
    expect([ready.status, ready.text]).toEqual([503, 'not ready: shutting down (SIGTERM)\n']);
    expect((await request(server).get('/')).status).toBe(200);
    expect((await request(server).get('/healthz')).text).toBe('ok\n');
  });

  it('a second signal does not change the reason', () => {
    const state = new ShutdownState();
    state.begin('SIGINT');
    state.begin('SIGTERM');
    expect(state.reason).toBe('shutting down (SIGINT)');
  });
});
