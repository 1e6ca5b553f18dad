import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTestBaseImage } from '@incidents-pipeline/devtools/base-image/base-image';
import type { ClusterAccess } from '@incidents-pipeline/devtools/cluster/cluster';
import { HelmClient, type HistoryEntry } from '../../src/helm.js';
import { KubectlClient, type PortForward } from '../../src/kubectl.js';
import { createConsoleLog, useLog } from '../../src/log.js';
import { runTool } from '../../src/process.js';
import { runBundle, type ActionRun, type Inputs } from '@incidents-pipeline/test-support/action-env';
import { locateTool } from '../../src/tools.js';
import { REPO_ROOT as REPO } from '@incidents-pipeline/test-support/repository';

/**
 * What the deploy scenarios share: the local cluster brought up (idempotent), the service image built
 * by the committed build-image bundle and loaded into the cluster, the committed helm-deploy bundle run
 * as the runner runs it, and the in-cluster load client that proves no request fails during a change.
 */

export { REPO };
export const IMAGE = 'incidents-cluster';
export const HELM_DEPLOY = path.join(REPO, 'actions/helm-deploy/dist/index.js');
export const HELM_ROLLBACK = path.join(REPO, 'actions/helm-rollback/dist/index.js');
export const CHART = path.join(REPO, 'chart');

export interface ClusterEnv {
  KUBECONFIG: string;
  PATH: string;
}

function cluster(args: string[]) {
  return runTool('npm', ['run', '--silent', 'cluster', '--', ...args], {
    cwd: REPO,
    group: false,
    timeoutMs: 45 * 60_000,
  });
}

/** `npm run cluster -- allow-registry HOST`: the cluster may pull from that loopback registry. */
export async function allowRegistry(host: string): Promise<void> {
  await cluster(['allow-registry', host]);
}

/** `npm run cluster -- down`: the next `up` starts an empty cluster. */
export async function clusterDown(): Promise<void> {
  await cluster(['down']);
}

/** `npm run cluster -- up --json` (a no-op when it runs): its kubeconfig, its kubectl and helm first on PATH. */
export async function clusterUp(): Promise<ClusterEnv> {
  useLog(createConsoleLog());
  const access = JSON.parse((await cluster(['up', '--json'])).stdout) as ClusterAccess;
  const helmDir = path.dirname(await locateTool('helm'));
  return {
    KUBECONFIG: access.kubeconfig,
    PATH: `${access.binDir}:${helmDir}:${process.env.PATH ?? ''}`,
  };
}

const builtVersions = new Set<string>();

/**
 * The service image `${IMAGE}:${version}`, built by the committed build-image bundle on the test base
 * image (Docker's layer cache makes a second version cheap) and moved into the cluster by load-image.
 */
export async function serviceImage(version: string): Promise<string> {
  const image = `${IMAGE}:${version}`;
  if (builtVersions.has(version)) return image;
  if (builtVersions.size === 0)
    await runTool('npm', ['run', 'build', '-w', 'service'], { cwd: REPO, group: false });
  const base = await ensureTestBaseImage();
  const build = await runBundle(
    path.join(REPO, 'actions/build-image/dist/index.js'),
    { image: IMAGE, version, context: 'service', 'build-args': `BASE_IMAGE=${base.image}` },
    {},
    { cwd: REPO, timeoutMs: 10 * 60_000 },
  );
  if (build.exitCode !== 0)
    throw new Error(`build-image failed: ${build.errors.join('\n')}\n${build.stdout.slice(-3000)}`);
  await cluster(['load-image', image]);
  builtVersions.add(version);
  return image;
}

export function kubectl(env: ClusterEnv, args: string[], input?: string, allowFailure = false) {
  return runTool('kubectl', args, {
    env: { ...env },
    group: false,
    input,
    timeoutMs: 5 * 60_000,
    allowFailure,
  });
}

export async function helm(env: ClusterEnv, args: string[], allowFailure = false) {
  return runTool(await locateTool('helm'), args, {
    env: { ...env },
    group: false,
    timeoutMs: 8 * 60_000,
    allowFailure,
  });
}

/** The release's revisions, oldest first, through the pipeline's own HelmClient. */
export async function releaseHistory(
  env: ClusterEnv,
  namespace: string,
  release: string,
): Promise<HistoryEntry[]> {
  return new HelmClient({ binary: await locateTool('helm'), env: { ...env } }).history({
    release,
    namespace,
  });
}

/** A namespace of its own for each scenario, so one scenario's leftovers never decide another. */
export async function freshNamespace(env: ClusterEnv, ns: string): Promise<void> {
  await kubectl(env, ['delete', 'namespace', ns, '--ignore-not-found', '--wait=true']);
  await kubectl(env, ['create', 'namespace', ns]);
}

/** The committed helm-deploy bundle, as `runs.main` starts it, against the local cluster. */
export function helmDeploy(env: ClusterEnv, inputs: Inputs): Promise<ActionRun> {
  return runBundle(
    HELM_DEPLOY,
    { chart: CHART, 'image-repository': IMAGE, timeout: '2m', ...inputs },
    { ...env },
    { cwd: REPO, timeoutMs: 9 * 60_000 },
  );
}

/** The committed helm-rollback bundle, as `runs.main` starts it, against the local cluster. */
export function helmRollback(env: ClusterEnv, inputs: Inputs): Promise<ActionRun> {
  return runBundle(
    HELM_ROLLBACK,
    { timeout: '2m', ...inputs },
    { ...env },
    { cwd: REPO, timeoutMs: 9 * 60_000 },
  );
}

/** Milliseconds since `started`, printed as the scenario's time. */
export function reportTime(scenario: string, started: number, extra = ''): void {
  console.log(`scenario ${scenario}: ${((Date.now() - started) / 1000).toFixed(1)} s${extra}`);
}

/**
 * The load client: a pod of the service image (it has node; nothing can be pulled) running a script
 * from a ConfigMap. Every request opens a new connection (`agent: false`), so each one goes through
 * DNS-named Service routing again and lands on whatever endpoint is current; a request that is
 * refused, reset, times out or answers other than 200 counts as failed. SIGTERM ends the loop and
 * the script prints its tally as the last log line.
 */
const CLIENT_SCRIPT = `
const http = require('node:http');
const target = process.env.TARGET;
let stop = false, sent = 0, failed = 0, last = '';
const failures = [];
const bodies = new Set();
process.on('SIGTERM', () => { stop = true; });
function once() {
  return new Promise((resolve) => {
    const req = http.get(target, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ ok: res.statusCode === 200, why: String(res.statusCode), body }));
      res.on('error', (e) => resolve({ ok: false, why: e.code || e.message, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ ok: false, why: e.code || e.message, body: '' }));
  });
}
(async () => {
  while (!stop) {
    const r = await once();
    sent++;
    if (r.ok) {
      last = r.body.split('\\n').slice(1).join('\\n');
      bodies.add(last);
      if (sent === 1 || sent % 100 === 0) console.log('progress', sent, failed);
    } else {
      failed++;
      failures.push(new Date().toISOString() + ' ' + r.why);
      console.log('failed', new Date().toISOString(), r.why);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log('RESULT ' + JSON.stringify({ sent, failed, failures: failures.slice(0, 20), last, distinct: bodies.size }));
})();
`;

export interface LoadResult {
  sent: number;
  failed: number;
  failures: string[];
  /** The incidents text of the last successful answer (everything after the status line). */
  last: string;
  distinct: number;
}

export class LoadClient {
  private constructor(
    private readonly env: ClusterEnv,
    private readonly ns: string,
    private readonly name: string,
  ) {}

  /** Starts the client against `http://<service>.<ns>.svc.cluster.local/` and waits for its first 200. */
  static async start(
    env: ClusterEnv,
    ns: string,
    service: string,
    image: string,
    name = 'load',
  ): Promise<LoadClient> {
    const manifests = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${name}-script`, namespace: ns },
          data: { 'client.js': CLIENT_SCRIPT },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, labels: { app: 'load-client' } },
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'client',
                image,
                imagePullPolicy: 'Never',
                command: ['node', '/client/client.js'],
                env: [{ name: 'TARGET', value: `http://${service}.${ns}.svc.cluster.local/` }],
                volumeMounts: [{ name: 'script', mountPath: '/client' }],
              },
            ],
            volumes: [{ name: 'script', configMap: { name: `${name}-script` } }],
          },
        },
      ],
    };
    await kubectl(env, ['apply', '-f', '-'], JSON.stringify(manifests));
    const client = new LoadClient(env, ns, name);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const logs = await kubectl(env, ['-n', ns, 'logs', name], undefined, true);
      if (/^progress 1 0$/m.test(logs.stdout)) return client;
      if (/^failed /m.test(logs.stdout) || Date.now() > deadline)
        throw new Error(`load client did not get a first answer:\n${logs.stdout}${logs.stderr}`);
      await sleep(500);
    }
  }

  /** Stops the loop, waits for the pod to finish and returns its tally. */
  async stop(): Promise<LoadResult> {
    await kubectl(this.env, [
      '-n',
      this.ns,
      'exec',
      this.name,
      '--',
      'node',
      '-e',
      "process.kill(1, 'SIGTERM')",
    ]);
    for (let i = 0; i < 120; i++) {
      const phase = (
        await kubectl(this.env, ['-n', this.ns, 'get', 'pod', this.name, '-o', 'jsonpath={.status.phase}'])
      ).stdout;
      if (phase === 'Succeeded' || phase === 'Failed') break;
      await sleep(500);
    }
    const logs = (await kubectl(this.env, ['-n', this.ns, 'logs', this.name])).stdout;
    const line = /^RESULT (.*)$/m.exec(logs);
    if (!line) throw new Error(`load client printed no result:\n${logs.slice(-3000)}`);
    await kubectl(this.env, ['-n', this.ns, 'delete', 'pod', this.name, '--wait=false']);
    return JSON.parse(line[1]) as LoadResult;
  }
}

/**
 * `kubectl port-forward` of a release's Service port 80 to 127.0.0.1, through the pipeline's own
 * KubectlClient (the one the http smoke test uses), so the tests exercise that code too.
 */
export function portForward(env: ClusterEnv, ns: string, service: string): Promise<PortForward> {
  return new KubectlClient({ env: { ...env } }).portForward(ns, service, 80);
}

/** Ready pods of a release (the selector labels, so the helm test pod is not counted). */
export async function readyPods(env: ClusterEnv, ns: string, release: string): Promise<string[]> {
  const pods = JSON.parse(
    (
      await kubectl(env, [
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        `app.kubernetes.io/instance=${release},app.kubernetes.io/component!=helm-test`,
        '-o',
        'json',
      ])
    ).stdout,
  ) as {
    items: {
      metadata: { name: string; deletionTimestamp?: string };
      status: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata.name);
}

/** A release serving under the load client: what the broken-change scenarios start from. */
export interface ServingRelease {
  env: ClusterEnv;
  /** The image the release serves, in the cluster. */
  image: string;
  /** The first install's run (its summary carries the smoke test). */
  install: ActionRun;
  client: LoadClient;
}

/**
 * The cluster up, `version` installed by the helm-deploy bundle into a fresh namespace, and the load
 * client answering; throws when the first install fails, since every later check would be moot.
 */
export async function servingRelease(
  ns: string,
  release: string,
  version: string,
  smokeTest: 'none' | 'http' | 'helm' = 'none',
): Promise<ServingRelease> {
  const env = await clusterUp();
  const image = await serviceImage(version);
  await freshNamespace(env, ns);
  const install = await helmDeploy(env, {
    release,
    namespace: ns,
    'image-tag': version,
    'smoke-test': smokeTest,
  });
  if (install.exitCode !== 0) throw new Error(`first install failed: ${install.errors.join('\n')}`);
  return { env, image, install, client: await LoadClient.start(env, ns, release, image) };
}

/** Deletes a scenario's namespace without waiting for it to go. */
export async function dropNamespace(env: ClusterEnv | undefined, ns: string): Promise<void> {
  if (env) await kubectl(env, ['delete', 'namespace', ns, '--wait=false'], undefined, true);
}

/** The image every Ready pod of the release runs, sorted. */
export async function servingImages(env: ClusterEnv, ns: string, release: string): Promise<string[]> {
  const names = await readyPods(env, ns, release);
  const images = await Promise.all(
    names.map(
      async (pod) =>
        (await kubectl(env, ['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.spec.containers[0].image}']))
          .stdout,
    ),
  );
  return images.sort();
}
