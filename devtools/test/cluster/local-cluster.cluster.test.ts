import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureTestBaseImage } from '../../base-image/base-image.js';
import { KubectlClient } from '@incidents-pipeline/actions-lib/kubectl';
import { createConsoleLog, useLog } from '@incidents-pipeline/actions-lib/log';
import { runTool, type RunResult } from '@incidents-pipeline/actions-lib/process';
import { runBundle } from '@incidents-pipeline/test-support/action-env';
import { builtClusterBinaries } from '../../cluster/components.js';
import { COREDNS_IMAGE, COREFILE } from '../../cluster/dns.js';
import { NETWORK, NODE_NAME } from '../../cluster/layout.js';
import { locateDevTool } from '../../tools/pins.js';
import { snapshotMachine, type MachineSnapshot } from './machine-snapshot.js';
import type { ClusterAccess, ClusterStatus } from '../../cluster/cluster.js';
import { REPO_ROOT as REPO } from '@incidents-pipeline/test-support/repository';

/**
 * The local cluster, for real: `npm run cluster -- up` on a machine without a cluster, the service
 * image built by the build-image bundle and moved in with `load-image`, pods, a ClusterIP Service
 * found through CoreDNS, `kubectl logs` and `exec`, `helm install` of the chart, the network rules,
 * and `down` leaving the machine as it found it. Nothing here is a stand-in.
 */

const IMAGE = 'incidents-cluster';
const VERSION = '1.2.3';
const NS = 'smoke';

let exports: { KUBECONFIG: string; PATH: string };
let upOutput: RunResult;
let access: ClusterAccess;
let upMs: number;
let before: MachineSnapshot;
let failedUp: RunResult;
let afterFailedUp: MachineSnapshot;

const cluster = (args: string[], timeoutMs = 45 * 60_000, allowFailure = false) =>
  runTool('npm', ['run', '--silent', 'cluster', '--', ...args], {
    cwd: REPO,
    group: false,
    timeoutMs,
    allowFailure,
  });

const kubectl = (args: string[], input?: string) =>
  runTool('kubectl', args, { env: { ...exports }, group: false, input, timeoutMs: 5 * 60_000 });

async function podsReady(selector: string, count: number, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = JSON.parse(
      (await kubectl(['-n', NS, 'get', 'pods', '-l', selector, '-o', 'json'])).stdout,
    ) as {
      items: { status: { conditions?: { type: string; status: string }[] } }[];
    };
    const ready = pods.items.filter((p) =>
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length >= count) return ready.length;
    if (Date.now() > deadline) {
      const describe = await kubectl(['-n', NS, 'describe', 'pods', '-l', selector]);
      throw new Error(`pods ${selector} not Ready:\n${describe.stdout.slice(-4000)}`);
    }
    await sleep(500);
  }
}

beforeAll(async () => {
  useLog(createConsoleLog());
  // A fresh cluster: whatever an earlier run left is taken down first.
  await cluster(['down']);

  // The service image, built by the committed build-image bundle as the runner runs it.
  await runTool('npm', ['run', 'build', '-w', 'service'], { cwd: REPO, group: false });
  const base = await ensureTestBaseImage((line) => console.log(line));
  const build = await runBundle(
    path.join(REPO, 'actions/build-image/dist/index.js'),
    { image: IMAGE, version: VERSION, context: 'service', 'build-args': `BASE_IMAGE=${base.image}` },
    {},
    { cwd: REPO, timeoutMs: 10 * 60_000 },
  );
  if (build.exitCode !== 0)
    throw new Error(`build-image failed: ${build.errors.join('\n')}\n${build.stdout.slice(-3000)}`);

  before = await snapshotMachine();

  // A step that fails: etcd cannot listen on a port something else holds (a plain TCP listener, so
  // the health probe gets no answer from it either). `up` must undo the steps before it.
  const squatter = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(NETWORK.etcdClientPort, '127.0.0.1', resolve));
  try {
    failedUp = await cluster(['up', '--json'], 10 * 60_000, true);
    afterFailedUp = await snapshotMachine();
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }

  const started = Date.now();
  upOutput = await cluster(['up', '--json']);
  upMs = Date.now() - started;
  access = JSON.parse(upOutput.stdout) as ClusterAccess;
  exports = { KUBECONFIG: access.kubeconfig, PATH: `${access.binDir}:${process.env.PATH ?? ''}` };
});

afterAll(async () => {
  // Leave the machine as found, even when a test failed; the last test checks it.
  if (exports) await cluster(['down']).catch(() => undefined);
});

describe('npm run cluster -- up', () => {
  it('undoes what it made when a step fails, as kind deletes a cluster it could not create', () => {
    expect(failedUp.exitCode).toBe(1);
    expect(failedUp.stdout).toBe('');
    expect(failedUp.stderr).toMatch(/etcd failed: undoing what up made/);
    expect(failedUp.stderr).toMatch(/error: up: etcd: /);
    expect(afterFailedUp.clusterProcesses).toEqual([]);
    expect(afterFailedUp.links).toEqual(before.links);
    expect(afterFailedUp.iptables).toEqual(before.iptables);
    expect(afterFailedUp.ip6tables).toEqual(before.ip6tables);
    expect(afterFailedUp.sysctls).toEqual(before.sysctls);
    expect(afterFailedUp.mounts).toEqual(before.mounts);
  });

  it('answers where the kubeconfig and this cluster’s kubectl are, and the node becomes Ready', async () => {
    console.log(`up took ${(upMs / 1000).toFixed(1)} s\n${upOutput.stderr}`);
    expect(access).toEqual({
      kubeconfig: expect.stringMatching(/^\/.+\/kubeconfig$/),
      binDir: expect.stringMatching(/^\/.+\/kubernetes-v1\.35\.\d+$/),
    });
    const which = await runTool('sh', ['-c', 'command -v kubectl'], { env: exports, group: false });
    expect(which.stdout.trim()).toBe(builtClusterBinaries().kubernetes.path('kubectl'));

    const node = JSON.parse((await kubectl(['get', 'node', NODE_NAME, '-o', 'json'])).stdout) as {
      status: { conditions: { type: string; status: string }[]; nodeInfo: Record<string, string> };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.35\.\d+$/);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/v?2\./);
    const version = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.35\.\d+$/);
  });

  it('is idempotent: a second up finds the cluster running, and prints for a shell what --json answered', async () => {
    const again = await cluster(['up']);
    // runTool hands back stdout without its last newline.
    expect(again.stdout).toBe(`export KUBECONFIG=${access.kubeconfig}\nexport PATH=${access.binDir}:$PATH`);
    expect(again.stderr).not.toMatch(/starting /);
    const status = JSON.parse((await cluster(['status', '--json'])).stdout) as ClusterStatus;
    expect(status.state).toBe('up');
    expect(status.access).toEqual(access);
    expect(status.nodeReady).toBe(true);
    expect(status.components.find((c) => c.name === 'kubelet')).toEqual({
      name: 'kubelet',
      pid: expect.any(Number),
      residentMiB: expect.any(Number),
    });
    expect((await cluster(['status'])).stdout).toMatch(
      /kubelet\s+running \(pid \d+, \d+ MiB\)[^]*cluster: up/,
    );
  });
});

describe('the network rules', () => {
  it('route the Service range to the cluster’s own interface, where unrewritten packets die', async () => {
    const route = await runTool('ip', ['route', 'get', '10.96.255.254'], { group: false });
    expect(route.stdout).toMatch(new RegExp(`dev ${NETWORK.nodeInterface}\\b`));
    const link = await runTool('ip', ['-d', 'link', 'show', NETWORK.nodeInterface], { group: false });
    expect(link.stdout).toMatch(/\n\s+(dummy|ifb)\b/);
  });

  it('drop forwarded pod traffic to anything outside the pod and Service ranges, ahead of every other rule', async () => {
    const forward = (await runTool('iptables', ['-S', 'FORWARD'], { group: false })).stdout.split('\n');
    expect(forward[1]).toBe('-A FORWARD -j INCIDENTS-FORWARD');
    const chain = (await runTool('iptables', ['-S', 'INCIDENTS-FORWARD'], { group: false })).stdout;
    const rules = chain.split('\n').filter((l) => l.startsWith('-A'));
    expect(rules).toEqual([
      expect.stringMatching(/^-A INCIDENTS-FORWARD -s 10\.244\.0\.0\/16 -d 10\.244\.0\.0\/16 .*-j ACCEPT$/),
      expect.stringMatching(/^-A INCIDENTS-FORWARD -s 10\.244\.0\.0\/16 -d 10\.96\.0\.0\/16 .*-j ACCEPT$/),
      expect.stringMatching(/^-A INCIDENTS-FORWARD -s 10\.244\.0\.0\/16 .*-j DROP$/),
    ]);
  });

  it('never masquerade pod traffic to the outside', async () => {
    const nat = (await runTool('iptables-save', ['-t', 'nat'], { group: false })).stdout.split('\n');
    const podMasquerade = nat.filter(
      (l) => /MASQUERADE/.test(l) && l.includes(NETWORK.podCidr.split('/')[0].slice(0, 6)),
    );
    expect(podMasquerade).toEqual([]);
    const cni = JSON.parse(
      readFileSync(path.join(path.dirname(exports.KUBECONFIG), 'cni/net.d/10-incidents.conflist'), 'utf8'),
    ) as { plugins: { type: string; ipMasq?: boolean }[] };
    expect(cni.plugins.find((p) => p.type === 'bridge')?.ipMasq).toBe(false);
  });

  it('let only loopback and pods reach the API server and kubelet ports', async () => {
    const input = (await runTool('iptables', ['-S', 'INPUT'], { group: false })).stdout.split('\n');
    expect(input[1]).toBe('-A INPUT -j INCIDENTS-INPUT');
    const chain = (await runTool('iptables', ['-S', 'INCIDENTS-INPUT'], { group: false })).stdout;
    expect(chain).toMatch(/--dports 6443,10250 .*-j DROP/);
  });

  it('CoreDNS answers cluster.local only and cannot forward: the plugin is not in the binary', async () => {
    expect(COREFILE).not.toMatch(/forward|proxy/);
    const plugins = execFileSync(builtClusterBinaries().coredns.path('coredns'), ['-plugins'], {
      encoding: 'utf8',
    });
    expect(plugins).toMatch(/^kubernetes$/m);
    expect(plugins).not.toMatch(/^forward$/m);
    const corefile = JSON.parse(
      (await kubectl(['-n', 'kube-system', 'get', 'configmap', 'coredns', '-o', 'json'])).stdout,
    ) as {
      data: { Corefile: string };
    };
    expect(corefile.data.Corefile).toBe(COREFILE);
    const pods = await kubectl([
      '-n',
      'kube-system',
      'get',
      'pods',
      '-l',
      'k8s-app=kube-dns',
      '-o',
      'jsonpath={.items[*].spec.containers[*].image}',
    ]);
    expect(pods.stdout).toBe(COREDNS_IMAGE);
  });
});

describe('the service in the cluster', () => {
  const podImage = `${IMAGE}:${VERSION}`;

  beforeAll(async () => {
    await cluster(['load-image', podImage]);
    await kubectl(['create', 'namespace', NS]);
  });

  it('runs the image built by build-image and loaded with load-image, behind a ClusterIP Service', async () => {
    const manifests = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'incidents', namespace: NS, labels: { app: 'incidents' } },
          spec: {
            containers: [
              {
                name: 'service',
                image: podImage,
                imagePullPolicy: 'Never',
                ports: [{ containerPort: 3000 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 3000 }, periodSeconds: 1 },
              },
            ],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'incidents', namespace: NS },
          spec: {
            type: 'ClusterIP',
            selector: { app: 'incidents' },
            ports: [{ port: 80, targetPort: 3000 }],
          },
        },
      ],
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifests));
    expect(await podsReady('app=incidents', 1)).toBe(1);
    const ip = (await kubectl(['-n', NS, 'get', 'service', 'incidents', '-o', 'jsonpath={.spec.clusterIP}']))
      .stdout;
    expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('a second pod reaches it through the Service by its DNS name, and kubectl logs shows the answer', async () => {
    const script = [
      "const dns = require('node:dns');",
      `dns.lookup('incidents.${NS}.svc.cluster.local', (e, a) => console.log('resolved', e ? e.code : a));`,
      `dns.lookup('example.com', (e, a) => console.log('outside name', e ? e.code : a));`,
      // The Service was made moments ago and kube-proxy programs it asynchronously (on kind too), so
      // the client retries as a real one would: up to 15 tries of 3 s, one second apart.
      `const get = (tries) => fetch('http://incidents.${NS}.svc.cluster.local/', { signal: AbortSignal.timeout(3000) })`,
      '  .then(async (r) => console.log(r.status, await r.text()))',
      '  .catch((e) => tries > 1 ? new Promise((ok) => setTimeout(ok, 1000)).then(() => get(tries - 1))',
      '    : (console.log("failed", e.cause?.code ?? e.message), (process.exitCode = 1)));',
      'get(15);',
    ].join('\n');
    const client = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: NS },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'client', image: podImage, imagePullPolicy: 'Never', command: ['node', '-e', script] },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(client));
    let phase = '';
    for (let i = 0; i < 240 && !['Succeeded', 'Failed'].includes(phase); i++) {
      await sleep(500);
      phase = (await kubectl(['-n', NS, 'get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'])).stdout;
    }
    const logs = (await kubectl(['-n', NS, 'logs', 'client'])).stdout;
    console.log(`client pod ${phase}:\n${logs}`);
    expect(logs).toMatch(/^resolved 10\.96\.\d+\.\d+$/m);
    expect(logs).toMatch(/^200 status: \d+ days? since the last incident$/m);
    // Only cluster.local is answered: an outside name does not resolve (and is asked of nobody).
    expect(logs).toMatch(/^outside name (ENOTFOUND|EAI_AGAIN|ESERVFAIL|EREFUSED)$/m);
    expect(phase).toBe('Succeeded');
  });

  it('kubectl port-forward brings the Service to a port on 127.0.0.1', async () => {
    const forward = await new KubectlClient({ env: { ...exports } }).portForward(NS, 'incidents', 80);
    try {
      const response = await fetch(`http://127.0.0.1:${forward.localPort}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('ready\n');
    } finally {
      await forward.close();
    }
  });

  it('kubectl logs shows the service’s own log lines', async () => {
    const logs = (await kubectl(['-n', NS, 'logs', 'incidents'])).stdout;
    expect(logs).toMatch(/^\{.*\}$/m);
  });

  it('kubectl exec runs a command in the service’s container', async () => {
    const exec = await kubectl([
      '-n',
      NS,
      'exec',
      'incidents',
      '--',
      'node',
      '-e',
      'console.log(process.getuid())',
    ]);
    expect(exec.stdout.trim()).toBe('10001');
  });

  it('helm install of the chart with its default values becomes Ready', async () => {
    const helm = await locateDevTool('helm');
    const install = await runTool(
      helm,
      [
        'install',
        'incidents',
        path.join(REPO, 'chart'),
        '--namespace',
        NS,
        '--set',
        `image.repository=${IMAGE}`,
        '--set',
        `image.tag=${VERSION}`,
        '--wait',
        '--timeout',
        '4m',
      ],
      { env: exports, group: false, timeoutMs: 5 * 60_000 },
    );
    expect(install.stdout).toMatch(/STATUS: deployed/);
    const deployment = JSON.parse(
      (
        await kubectl([
          '-n',
          NS,
          'get',
          'deployment',
          '-l',
          'app.kubernetes.io/instance=incidents',
          '-o',
          'json',
        ])
      ).stdout,
    ) as { items: { spec: { replicas: number }; status: { readyReplicas?: number } }[] };
    expect(deployment.items).toHaveLength(1);
    expect(deployment.items[0].status.readyReplicas).toBe(deployment.items[0].spec.replicas);
    const test = await runTool(helm, ['test', 'incidents', '--namespace', NS, '--timeout', '3m'], {
      env: exports,
      group: false,
      timeoutMs: 4 * 60_000,
    });
    expect(test.stdout).toMatch(/Phase:\s+Succeeded/);
  });
});

describe('npm run cluster -- down', () => {
  it('leaves no process, mount, interface, firewall rule, kernel setting or path behind', async () => {
    const started = Date.now();
    await cluster(['down']);
    console.log(`down took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const after = await snapshotMachine();
    expect(before.clusterProcesses).toEqual([]);
    expect(after.clusterProcesses).toEqual([]);
    expect(after.mounts).toEqual(before.mounts);
    expect(after.links).toEqual(before.links);
    expect(after.iptables).toEqual(before.iptables);
    expect(after.ip6tables).toEqual(before.ip6tables);
    expect(after.sysctls).toEqual(before.sysctls);
    expect(after.paths).toEqual(before.paths);
    const status = await runTool('npm', ['run', '--silent', 'cluster', '--', 'status', '--json'], {
      cwd: REPO,
      group: false,
      allowFailure: true,
    });
    expect(status.exitCode).toBe(1);
    expect((JSON.parse(status.stdout) as ClusterStatus).state).toBe('down');
  });
});
