import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { runTool } from '../../actions/lib/src/process.js';
import { HELM_SETUP_TIMEOUT_MS, only, renderChart, HELM_TEST_TIMEOUT_MS, prepareHelm } from './helm-chart.js';

jest.setTimeout(HELM_TEST_TIMEOUT_MS);
beforeAll(prepareHelm, HELM_SETUP_TIMEOUT_MS);

/**
 * The `helm test` pod runs `node -e <script>` in the service image. Here the same rendered script
 * runs under the local node against real HTTP servers on 127.0.0.1 that answer like the service
 * (or fail like it), so the check is known to pass and to fail for the right reasons.
 */

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let script: string;
let servers: Server[] = [];

beforeAll(async () => {
  const pod = only(await renderChart({}), 'Pod');
  const command = pod.spec?.containers[0]?.command ?? [];
  expect(command.slice(0, 2)).toEqual(['node', '-e']);
  script = command[2] ?? '';
}, HELM_SETUP_TIMEOUT_MS);

afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

async function serve(handler: Handler): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handler(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

function answer(routes: Record<string, [number, string]>): Handler {
  return (request, response) => {
    const [status, body] = routes[request.url ?? ''] ?? [404, 'not found\n'];
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(body);
  };
}

function runCheck(baseUrl: string) {
  return runTool(process.execPath, ['-e', script], {
    group: false,
    allowFailure: true,
    timeoutMs: 30_000,
    env: { BASE_URL: baseUrl, ATTEMPTS: '2', RETRY_DELAY_MS: '10' },
  });
}

const HEALTHY: Record<string, [number, string]> = {
  '/readyz': [200, 'ready\n'],
  '/': [200, 'status: 12 days since the last incident\nincidents:\n  - date: "2026-11-13"\n'],
};

describe('helm test script', () => {
  it('passes when /readyz is ready and / tells the days', async () => {
    const { url, paths } = await serve(answer(HEALTHY));
    const result = await runCheck(url);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(paths).toEqual(['/readyz', '/']);
    expect(result.stdout).toContain('GET /: 200 "status: 12 days since the last incident"');
  });

  it('accepts the singular "1 day"', async () => {
    const { url } = await serve(
      answer({ ...HEALTHY, '/': [200, 'status: 1 day since the last incident\n'] }),
    );
    expect((await runCheck(url)).exitCode).toBe(0);
  });

  it('fails when the service is not ready, after retrying', async () => {
    const { url, paths } = await serve(
      answer({ ...HEALTHY, '/readyz': [503, 'not ready: no valid incident date\n'] }),
    );
    const result = await runCheck(url);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`GET ${url}/readyz failed: 503`);
    expect(result.stderr).toContain('no valid incident date');
    expect(paths).toEqual(['/readyz', '/readyz']);
  });

  it('fails when / does not start with the status line', async () => {
    const { url } = await serve(answer({ ...HEALTHY, '/': [200, 'hello\n'] }));
    const result = await runCheck(url);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`GET ${url}/ failed: 200 "hello\\n"`);
  });

  it('fails when / answers 500', async () => {
    const { url } = await serve(answer({ ...HEALTHY, '/': [500, 'error: malformed YAML\n'] }));
    const result = await runCheck(url);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('500');
  });

  it('fails when nothing listens', async () => {
    const { url } = await serve(answer(HEALTHY));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    servers = [];
    const result = await runCheck(url);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });
});
