import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { installGracefulShutdown } from '../src/lifecycle/graceful-shutdown.js';
import { ShutdownState } from '../src/lifecycle/shutdown-state.js';
import { daysAgo, scratchDir, startApp, testConfig, writeIncidents } from './app-harness.js';

/**
 * While the service drains, a client on a keep-alive connection must learn from the reply itself
 * that the connection ends, or it sends its next request into a socket that is about to close.
 */
describe('replies while draining', () => {
  const scratch = scratchDir();
  const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
  let app: NestExpressApplication;
  let port: number;

  beforeAll(async () => {
    ({ app } = await startApp(
      testConfig(writeIncidents(scratch.dir, `incidents:\n  - date: ${daysAgo(1)}\n`)),
    ));
    const server = app.getHttpServer();
    // No signals: the test begins the shutdown state itself, as the signal handler would.
    installGracefulShutdown({
      app,
      server,
      state: app.get(ShutdownState),
      timeoutMs: 5000,
      logger: silent,
      signals: [],
      exit: () => undefined,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    scratch.remove();
  });

  function fetchOn(agent: Agent, path: string): Promise<{ response: IncomingMessage; reused: boolean }> {
    return new Promise((resolve, reject) => {
      const request = get({ host: '127.0.0.1', port, path, agent }, (response) => {
        response.resume();
        response.once('end', () => resolve({ response, reused: request.reusedSocket }));
      });
      request.once('error', reject);
    });
  }

  it('keep-alive before the shutdown, `Connection: close` after it, on every route and lane', async () => {
    const paths = ['/', '/?via=nest', '/healthz', '/readyz', '/metrics'];
    const agents = paths.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      const before = await Promise.all(paths.map((path, index) => fetchOn(agents[index], path)));
      for (const { response } of before) expect(response.headers.connection).toBe('keep-alive');

      app.get(ShutdownState).begin('SIGTERM');
      const during = await Promise.all(paths.map((path, index) => fetchOn(agents[index], path)));
      for (const [index, { response, reused }] of during.entries()) {
        // The same connection as before, so this is a reply on a connection the drain found open.
        expect([paths[index], reused, response.headers.connection]).toEqual([paths[index], true, 'close']);
      }
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });
});
