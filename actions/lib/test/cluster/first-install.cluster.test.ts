import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HelmClient, parseHistory } from '../../src/helm.js';
import { locateTool } from '../../src/tools.js';
import {
  clusterUp,
  freshNamespace,
  helm,
  helmDeploy,
  IMAGE,
  kubectl,
  portForward,
  readyPods,
  reportTime,
  serviceImage,
  type ClusterEnv,
} from './scenario.js';

/**
 * Scenario 1: the first install of the chart by the committed helm-deploy bundle, on the real cluster.
 * The Helm JSON the pipeline parses is read here from the real Helm 4, not from a recording.
 */

const NS = 'first-install';
const RELEASE = 'incidents-service';
const VERSION = '1.0.0';
let env: ClusterEnv;

beforeAll(async () => {
  env = await clusterUp();
  await serviceImage(VERSION);
  await freshNamespace(env, NS);
});

describe('scenario 1: first install', () => {
  it('installs revision 1 with 2/2 pods Ready, passes helm test, and reports it in outputs and summary', async () => {
    const started = Date.now();
    const run = await helmDeploy(env, { release: RELEASE, namespace: NS, 'image-tag': VERSION });
    reportTime('1 first install', started);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      revision: '1',
      status: 'deployed',
      'previous-revision': '',
      'rolled-back': 'false',
    });
    expect(run.summary).toContain(`Deployed ${RELEASE}`);
    expect(run.summary).toContain(`<td>${RELEASE} (namespace ${NS})</td>`);
    expect(run.summary).toContain('<td>Pods ready</td><td>2/2</td>');
    expect(run.summary).toContain(`<td>${IMAGE}:${VERSION}</td>`);
    expect(run.summary).toContain('<td>helm test passed</td>');
    expect(run.summary).toMatch(/<td>Helm<\/td><td>v4\.\d+\.\d+<\/td>/);

    expect(await readyPods(env, NS, RELEASE)).toHaveLength(2);
    const test = await helm(env, ['test', RELEASE, '--namespace', NS, '--timeout', '2m']);
    expect(test.stdout).toMatch(/Phase:\s+Succeeded/);
  });

  it('GET / through a port-forward to the Service gives the contract: the status line, then the incidents', async () => {
    const forward = await portForward(env, NS, RELEASE);
    try {
      const response = await fetch(`http://127.0.0.1:${forward.localPort}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await response.text();
      expect(body).toMatch(/^status: \d+ days? since the last incident\n/);
      // The chart's default incidents list, rendered into the mounted file and served after the line.
      expect(body).toContain('Database failover took the status page down for 12 minutes');
    } finally {
      await forward.close();
    }
  });

  it('the Helm 4 JSON of status and history parses into what the pipeline reads', async () => {
    // Helm 4's status JSON has no `chart`: the client takes it from the history entry.
    const raw = JSON.parse((await helm(env, ['status', RELEASE, '-n', NS, '-o', 'json'])).stdout) as object;
    expect(Object.keys(raw)).not.toContain('chart');
    const client = new HelmClient({ binary: await locateTool('helm'), env: { ...env } });
    const status = (await client.status({ release: RELEASE, namespace: NS }))!;
    expect(status).toMatchObject({
      name: RELEASE,
      namespace: NS,
      revision: 1,
      status: 'deployed',
      chartName: 'incidents-service',
      chartVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      appVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      description: 'Install complete',
    });
    expect(status.values).toMatchObject({ image: { repository: IMAGE, tag: VERSION } });
    const history = parseHistory((await helm(env, ['history', RELEASE, '-n', NS, '-o', 'json'])).stdout);
    expect(history).toEqual([
      {
        revision: 1,
        updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        status: 'deployed',
        chart: expect.stringMatching(/^incidents-service-\d+\.\d+\.\d+/),
        appVersion: status.appVersion,
        description: 'Install complete',
      },
    ]);
  });
});

afterAll(async () => {
  if (env) await kubectl(env, ['delete', 'namespace', NS, '--wait=false'], undefined, true);
});
