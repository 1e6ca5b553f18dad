import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { createConsoleLog, useLog } from '@incidents-pipeline/actions-lib/log';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import { runBundle, type ActionRun } from '@incidents-pipeline/test-support/action-env';
import { requireDocker, TestContainers } from '@incidents-pipeline/test-support/containers';
import { ensureTestBaseImage, type TestBaseImage } from '@incidents-pipeline/devtools/base-image/base-image';
import { REPO_ROOT as REPO } from '@incidents-pipeline/test-support/repository';

/**
 * The real thing, end to end: the service bundle built with npm, the committed build-image bundle run
 * as the runner runs it, and the resulting image started with a read-only root file system. No
 * registry is reachable here, so the base is the offline stand-in of `npm run base-image` (devtools/base-image/).
 */

const BUNDLE = path.join(REPO, 'actions/build-image/dist/index.js');
const IMAGE = 'incidents-e2e';
const VERSION = '1.2.3';
const MAX_OWN_BYTES = 10 * 1000 * 1000;

const docker = new DockerClient();
const containers = new TestContainers();
const containerIds: string[] = [];
let base: TestBaseImage;
let cold: ActionRun;
let cached: ActionRun;
let coldMs: number;
let cachedMs: number;
let head: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const buildTime = (run: ActionRun) => /Build time<\/td><td>([\d.]+ s)/.exec(run.summary)?.[1] ?? '?';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * A GET over node:http rather than fetch: while the service starts, docker's port proxy resets the
 * connection, and Node 20's fetch can leave its promise unsettled on such a reset (the test then
 * hangs instead of retrying).
 */
function get(port: number, route: string, timeoutMs = 5_000) {
  return new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: route, agent: false, timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${route} timed out`)));
    request.on('error', reject);
  });
}

const buildWithAction = () =>
  runBundle(
    BUNDLE,
    { image: IMAGE, version: VERSION, context: 'service', 'build-args': `BASE_IMAGE=${base.image}` },
    {},
    { cwd: REPO, timeoutMs: 10 * 60_000 },
  );

beforeAll(async () => {
  useLog(createConsoleLog());
  await requireDocker(docker);

  await runTool('npm', ['run', 'build', '-w', 'service'], { cwd: REPO, group: false });
  if (!existsSync(path.join(REPO, 'service/dist/index.js')))
    throw new Error('service/dist/index.js was not built');
  head = (await runTool('git', ['rev-parse', 'HEAD'], { cwd: REPO, group: false })).stdout.trim();

  base = await ensureTestBaseImage((line) => console.log(line));

  // A cold build: drop this suite's images from earlier runs, and with them the cached layers above the base.
  const previous = await runTool('docker', ['image', 'ls', '--quiet', IMAGE], { group: false });
  const ids = [...new Set(previous.stdout.split('\n').filter((l) => l !== ''))];
  if (ids.length > 0) await runTool('docker', ['image', 'rm', '--force', ...ids], { group: false });

  let started = Date.now();
  cold = await buildWithAction();
  coldMs = Date.now() - started;
  started = Date.now();
  cached = await buildWithAction();
  cachedMs = Date.now() - started;
});

afterAll(async () => {
  for (const id of containerIds) await containers.remove(id);
});

describe('build-image bundle with the real docker', () => {
  it('builds and tags the image from the version and the commit, never latest', () => {
    if (cold.exitCode !== 0)
      throw new Error(`build failed: ${cold.errors.join('\n')}\n${cold.stdout.slice(-3000)}`);
    expect(cold.outputs.image).toBe(IMAGE);
    expect(cold.outputs.tags.split('\n')).toEqual([
      `${IMAGE}:1.2.3`,
      `${IMAGE}:1.2`,
      `${IMAGE}:1`,
      `${IMAGE}:sha-${head.slice(0, 7)}`,
    ]);
    expect(cold.outputs['image-id']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cold.outputs.digest).toBe('');
    expect(cold.summary).toContain('Build time');
  });

  it('rebuilds the same commit from cache into the identical image', () => {
    expect(cached.exitCode).toBe(0);
    expect(cached.outputs['image-id']).toBe(cold.outputs['image-id']);
  });

  it('refuses a version that is not semver without building', async () => {
    const result = await runBundle(
      BUNDLE,
      { image: IMAGE, version: 'latest', context: 'service' },
      {},
      { cwd: REPO },
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/input 'version'.*not a strict semantic version/);
    expect(await docker.imageExists(`${IMAGE}:latest`)).toBe(false);
  });
});

describe('the service image', () => {
  const tag = `${IMAGE}:${VERSION}`;

  it('adds at most 10 MB over its base, and carries its metadata', async () => {
    const image = await docker.inspectImage(tag);
    const own = image.sizeBytes - base.sizeBytes;
    console.log(
      [
        `base ${base.image}: ${(base.sizeBytes / 1e6).toFixed(1)} MB, node ${base.nodeVersion} (${base.nodeSource}),` +
          ` ${base.built ? `built in ${(base.buildMs / 1000).toFixed(1)} s` : 'cached'}`,
        `image ${tag}: ${(image.sizeBytes / 1e6).toFixed(1)} MB, own layers ${(own / 1e6).toFixed(2)} MB`,
        `build-image run: cold ${(coldMs / 1000).toFixed(1)} s (docker build ${buildTime(cold)}),` +
          ` cached ${(cachedMs / 1000).toFixed(1)} s (docker build ${buildTime(cached)})`,
      ].join('\n'),
    );
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThanOrEqual(MAX_OWN_BYTES);
    expect(image.user).toBe('10001:10001');
    expect(image.labels).toMatchObject({
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.revision': head,
      'org.opencontainers.image.title': 'incidents-service',
    });
    expect(image.labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(image.labels['org.opencontainers.image.description']).toMatch(/days/);
    const env = await runTool('docker', ['image', 'inspect', '--format', '{{json .Config.Env}}', tag], {
      group: false,
    });
    expect(JSON.parse(env.stdout)).toContain('NODE_ENV=production');
  });

  it('serves /, the wallboard files, /readyz and /healthz as uid 10001 on a read-only root, reports healthy, stops on SIGTERM', async () => {
    const id = await containers.start(tag, {
      readOnly: true,
      publish: ['127.0.0.1::3000'],
      // The image's own health check command, run every second instead of every 30 s.
      flags: ['--health-interval', '1s', '--health-start-period', '1s'],
    });
    containerIds.push(id);
    const port = await containers.hostPort(id, 3000);
    await waitFor('/healthz', async () => ((await get(port, '/healthz')).status === 200 ? true : undefined));

    const root = await get(port, '/');
    expect(root.status).toBe(200);
    expect(root.type).toMatch(/^text\/plain; charset=utf-8/);
    expect(root.body).toMatch(/^status: \d+ days? since the last incident\n/);
    expect(root.body).toContain('incidents:');
    expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    // The wallboard's files travel in the bundle, next to index.js.
    expect(await get(port, '/wallboard.js')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
    });
    expect(await get(port, '/wallboard.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });

    const uid = await runTool(
      'docker',
      ['exec', id, 'node', '-e', 'console.log(process.getuid(), process.getgid())'],
      {
        group: false,
      },
    );
    expect(uid.stdout.trim()).toBe('10001 10001');
    const write = await runTool(
      'docker',
      ['exec', id, 'node', '-e', 'require("fs").writeFileSync("/app/x", "")'],
      {
        group: false,
        allowFailure: true,
      },
    );
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/EROFS|EACCES/);

    expect(
      await waitFor('a healthy health check', async () =>
        (await containers.state(id)).health === 'healthy' ? 'healthy' : undefined,
      ),
    ).toBe('healthy');

    const stopping = Date.now();
    await containers.stop(id, 10);
    const stopMs = Date.now() - stopping;
    const state = await containers.state(id);
    console.log(`docker stop (SIGTERM) took ${stopMs} ms, exit code ${state.exitCode}`);
    expect(state.running).toBe(false);
    expect(state.exitCode).toBe(0);
    // Well under docker's 10 s grace period: the service shut down on SIGTERM, it was not killed.
    expect(stopMs).toBeLessThan(5_000);
  });

  it('exits non-zero with a one-line message when PORT is invalid', async () => {
    const id = await containers.start(tag, { readOnly: true, env: { PORT: 'not-a-port' } });
    containerIds.push(id);
    const state = await waitFor('the container to exit', async () => {
      const s = await containers.state(id);
      return s.running ? undefined : s;
    });
    expect(state.exitCode).not.toBe(0);
    const logs = await containers.logs(id);
    expect(logs).toMatch(/PORT/);
    expect(logs).not.toMatch(/^\s+at /m);
  });
});
