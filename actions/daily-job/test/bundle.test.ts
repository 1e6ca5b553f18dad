import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { runBundle } from '@incidents-pipeline/test-support/action-env';
import { CALL_MARKER_STEP } from '../src/earlier-call.js';
import { startGitHubApi, type GitHubApiStandIn } from './github-api-stand-in.js';
import { json, startServer, type LoopbackServer } from './loopback-server.js';

const bundle = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const TOKEN = 'bundle-token-5e0c33aa';
const GITHUB_TOKEN = 'ghs_bundle9876543210';

let endpoint: LoopbackServer;
let api: GitHubApiStandIn;
beforeAll(async () => {
  endpoint = await startServer((_req, res, i) => json(res, i === 0 ? 503 : 204, {}));
  api = await startGitHubApi([
    { id: 41, startedAt: '2026-07-15T07:00:20Z', steps: { [CALL_MARKER_STEP]: 'skipped' } },
  ]);
});
afterAll(async () => {
  await endpoint.close();
  await api.close();
});

test('the committed bundle makes the summer call once, after a 503, and keeps the tokens out of its output', async () => {
  const result = await runBundle(
    bundle,
    {
      url: `${endpoint.origin}/daily`,
      token: TOKEN,
      now: '2026-07-15T07:03:00Z',
      'github-token': GITHUB_TOKEN,
    },
    { ...api.env, GITHUB_RUN_ID: '42', DAILY_JOB_BACKOFF_BASE_MS: '1' },
    { timeoutMs: 30_000 },
  );
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toEqual({
    ran: 'true',
    reason: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/daily answered 204 after 2 attempts$/),
    status: '204',
    'local-time': '2026-07-15T09:03:00+02:00',
  });
  expect(endpoint.requests.map((r) => r.headers.authorization)).toEqual([
    `Bearer ${TOKEN}`,
    `Bearer ${TOKEN}`,
  ]);
  expect(api.requests.map((r) => r.url.split('?')[0])).toEqual([
    '/repos/acme/incidents/actions/workflows/daily-job.yml/runs',
    '/repos/acme/incidents/actions/runs/41/jobs',
  ]);
  expect(result.summary).toContain('<td>Attempts</td><td>2</td>');
  const shown = [
    ...result.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')),
    result.stderr,
    result.summary,
    JSON.stringify(result.outputs),
  ].join('\n');
  expect(shown).not.toContain(TOKEN);
  expect(shown).not.toContain(GITHUB_TOKEN);
  expect(result.stdout).toContain(`::add-mask::${TOKEN}`);
});
