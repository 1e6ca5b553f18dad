import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTool } from '../../src/process.js';
import {
  clusterUp,
  freshNamespace,
  kubectl,
  readyPods,
  releaseHistory,
  REPO,
  reportTime,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 7: the local CLI against the local cluster (INCIDENTS_CLUSTER=local, as the README says):
 * deliver builds, loads and deploys; deploy redeploys a built version; init never downgrades. The
 * base image comes from `npm run base-image`, the command the README gives a newcomer.
 */

// The CLI's fixed release and namespace.
const NS = 'incidents';
const RELEASE = 'incidents-service';
let env: ClusterEnv;
let baseImage: string;

beforeAll(async () => {
  env = await clusterUp();
  await freshNamespace(env, NS);
  const base = await runTool('npm', ['run', '--silent', 'base-image', '--', '--json'], {
    cwd: REPO,
    group: false,
    timeoutMs: 20 * 60_000,
  });
  baseImage = (JSON.parse(base.stdout) as { image: string }).image;
});

afterAll(async () => {
  if (env) await kubectl(env, ['delete', 'namespace', NS, '--wait=false'], undefined, true);
});

/** The committed CLI bundle, as `npm run <command>` starts it, aimed at the local cluster. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runTool(process.execPath, [path.join(REPO, 'actions/cli/dist/index.js'), ...args], {
    cwd: REPO,
    group: false,
    allowFailure: true,
    timeoutMs: 9 * 60_000,
    // Not the cluster's KUBECONFIG: the CLI finds the local cluster itself.
    env: { INCIDENTS_CLUSTER: 'local', INCIDENTS_BASE_IMAGE: baseImage, KUBECONFIG: '/nonexistent', ...env },
  });
}

async function runningImage(): Promise<string> {
  return (
    await kubectl(env, [
      '-n',
      NS,
      'get',
      'deployment',
      RELEASE,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ])
  ).stdout;
}

describe('scenario 7: the CLI against the local cluster', () => {
  it('deliver with a base image Docker cannot pull stops before building, names the fix, leaves the cluster up', async () => {
    // A registry port on loopback that nothing listens on: the real daemon's pull fails at once,
    // as it does on a machine that reaches no registry for the Dockerfile's default base.
    const run = await cli(['deliver', '0.2.0'], {
      INCIDENTS_BASE_IMAGE: '127.0.0.1:9/incidents-absent-base:1',
    });
    const output = run.stdout + run.stderr;
    expect(run.exitCode).toBe(1);
    expect(output).toContain("the build's base image 127.0.0.1:9/incidents-absent-base:1 is not in Docker");
    expect(output).toMatch(/connection refused/);
    expect(output).toContain('npm run base-image');
    expect(output).toContain('the local cluster of npm run cluster) is up and was left running');
    expect(output).not.toMatch(/docker build failed/);
    expect(await releaseHistory(env, NS, RELEASE)).toEqual([]);
  });

  it('deliver VERSION builds the image, loads it with load-image and deploys it', async () => {
    const started = Date.now();
    const run = await cli(['deliver', '0.2.0']);
    reportTime('7 deliver 0.2.0', started);
    if (run.exitCode !== 0) console.log(run.stdout, run.stderr);
    expect(run.exitCode).toBe(0);
    expect(await runningImage()).toBe('incidents-service:0.2.0');
    expect(await readyPods(env, NS, RELEASE)).toHaveLength(2);
  });

  it('deploy VERSION deploys a version built before, with no build', async () => {
    await cli(['deliver', '0.3.0']);
    const started = Date.now();
    const run = await cli(['deploy', '0.2.0']);
    reportTime('7 deploy 0.2.0', started);
    expect(run.exitCode).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Replacing 0\.3\.0 \(deployed\)/);
    expect(await runningImage()).toBe('incidents-service:0.2.0');
    const history = await releaseHistory(env, NS, RELEASE);
    expect(history).toHaveLength(3);
  });

  it('init with a newer version running says so and leaves the release as it is', async () => {
    const run = await cli(['init']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout + run.stderr).toMatch(
      /A newer version is running \(0\.2\.0, deployed\); init never downgrades, so 0\.1\.0 is not deployed/,
    );
    const history = await releaseHistory(env, NS, RELEASE);
    expect(history).toHaveLength(3);
    expect(await runningImage()).toBe('incidents-service:0.2.0');
  });
});
