import { describe, expect, it, jest } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withValuesFiles } from '../src/deploy-values.js';
import { runTool } from '../src/process.js';
import {
  HelmClient,
  lastDeployedRevision,
  parseGoDuration,
  parseHistory,
  parseRelease,
  splitChartField,
  processTimeoutMs,
  upgradeInstallArgs,
  type HelmVersion,
  type UpgradeInstallOptions,
} from '../src/helm.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { locateTool, TOOL_PINS } from '../src/tools.js';

const HELM4: HelmVersion = { version: 'v4.1.4', major: 4 };
const HELM3: HelmVersion = { version: 'v3.19.0', major: 3 };
const CHART = fileURLToPath(new URL('../../../chart', import.meta.url));

const options: UpgradeInstallOptions = {
  release: 'incidents-service',
  namespace: 'incidents',
  chart: './chart',
  valuesFiles: ['/tmp/a.yaml', '/tmp/b.yaml'],
  set: [{ key: 'replicaCount', value: '3' }],
  createNamespace: true,
  timeout: '5m',
  wait: true,
  rollbackOnFailure: true,
};

describe('upgradeInstallArgs', () => {
  it('builds the Helm 4 argument list', () => {
    expect(upgradeInstallArgs(HELM4, { ...options, kubeContext: 'kind-incidents' })).toEqual([
      'upgrade',
      '--install',
      'incidents-service',
      './chart',
      '--namespace',
      'incidents',
      '--kube-context',
      'kind-incidents',
      '--create-namespace',
      '--values',
      '/tmp/a.yaml',
      '--values',
      '/tmp/b.yaml',
      '--set',
      'replicaCount=3',
      '--timeout',
      '5m',
      '--wait=watcher',
      '--rollback-on-failure',
    ]);
  });

  it('uses --wait and --atomic with Helm 3', () => {
    const args = upgradeInstallArgs(HELM3, options);
    expect(args.slice(-3)).toEqual(['5m', '--wait', '--atomic']);
    expect(args).not.toContain('--rollback-on-failure');
  });

  it('waits whenever it rolls back on failure, and not otherwise when told not to', () => {
    const noWait = { ...options, wait: false };
    expect(upgradeInstallArgs(HELM4, noWait)).toContain('--wait=watcher');
    expect(upgradeInstallArgs(HELM4, { ...noWait, rollbackOnFailure: false }).join(' ')).not.toMatch(
      /--wait|--rollback/,
    );
    expect(upgradeInstallArgs(HELM3, { ...noWait, rollbackOnFailure: false }).join(' ')).not.toMatch(
      /--wait|--atomic/,
    );
  });

  it('keeps a --set value with commas or shell syntax as one argument', () => {
    const args = upgradeInstallArgs(HELM4, {
      ...options,
      set: [{ key: 'podAnnotations.note', value: 'a,b $(id)' }],
    });
    expect(args).toContain('podAnnotations.note=a,b $(id)');
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['5m', 300_000],
    ['300s', 300_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5m', 90_000],
    ['250ms', 250],
    ['0', 0],
  ])('reads %s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it('gives a Helm process twice its per-operation timeout plus two minutes', () => {
    expect(processTimeoutMs('15m')).toBe(32 * 60_000);
    expect(processTimeoutMs('30s')).toBe(180_000);
  });

  it.each(['300', '5 m', '5min', '-5m', '', 'm', '5m;', '1d'])('refuses %j', (text) =>
    expect(parseGoDuration(text)).toBeUndefined(),
  );
});

describe('parsing Helm JSON', () => {
  it('reads helm status output', () => {
    const release = parseRelease(
      JSON.stringify({
        name: 'incidents-service',
        namespace: 'incidents',
        version: 7,
        info: { status: 'pending-upgrade', description: 'Preparing upgrade', notes: '...' },
        chart: { metadata: { name: 'incidents-service', version: '0.1.0', appVersion: '0.1.0' } },
        config: { image: { tag: '0.3.0' } },
      }),
    );
    expect(release).toEqual({
      name: 'incidents-service',
      namespace: 'incidents',
      revision: 7,
      status: 'pending-upgrade',
      description: 'Preparing upgrade',
      chartName: 'incidents-service',
      chartVersion: '0.1.0',
      appVersion: '0.1.0',
      values: { image: { tag: '0.3.0' } },
    });
  });

  it('reads Helm 4 status output, which carries no chart (as helm 4.3 prints it on the local cluster)', () => {
    const release = parseRelease(
      JSON.stringify({
        name: 'incidents-service',
        info: { first_deployed: '', last_deployed: '', description: 'Install complete', status: 'deployed' },
        config: { image: { tag: '1.0.0' } },
        manifest: '',
        hooks: [],
        version: 1,
        namespace: 'incidents',
        apply_method: 'ssa',
      }),
    );
    expect(release).toMatchObject({ revision: 1, status: 'deployed', chartName: '', appVersion: '' });
  });

  it.each([
    ['incidents-service-0.1.0', 'incidents-service', '0.1.0'],
    ['c-1.0.0-rc.1', 'c', '1.0.0-rc.1'],
    ['no-version', 'no-version', ''],
  ])('splits the history chart field %s', (field, name, version) =>
    expect(splitChartField(field)).toEqual({ name, version }),
  );

  it('reads helm history output, oldest first, and finds the revision to roll back to', () => {
    const history = parseHistory(
      JSON.stringify([
        {
          revision: 3,
          status: 'failed',
          description: 'Upgrade failed',
          chart: 'c-0.1.0',
          app_version: '0.1.0',
          updated: '',
        },
        {
          revision: 1,
          status: 'superseded',
          description: 'Install complete',
          chart: 'c-0.1.0',
          app_version: '0.1.0',
          updated: '',
        },
        {
          revision: 4,
          status: 'pending-upgrade',
          description: 'Preparing',
          chart: 'c-0.1.0',
          app_version: '0.1.0',
          updated: '',
        },
        {
          revision: 2,
          status: 'deployed',
          description: 'Upgrade complete',
          chart: 'c-0.1.0',
          app_version: '0.1.0',
          updated: '',
        },
      ]),
    );
    expect(history.map((h) => h.revision)).toEqual([1, 2, 3, 4]);
    expect(lastDeployedRevision(history, 4)).toBe(2);
    expect(lastDeployedRevision(history, 2)).toBe(1);
    expect(lastDeployedRevision(history, 1)).toBeUndefined();
  });

  it('says what it got when the output is not JSON', () => {
    expect(() => parseRelease('Error: something')).toThrow(/helm status: unexpected output, not JSON/);
  });
});

describe('HelmClient with the real helm 4', () => {
  jest.setTimeout(60_000);

  it('detects the version and picks Helm 4 flags', async () => {
    const helm = new HelmClient({ binary: await locateTool('helm') });
    expect(await helm.version()).toEqual({ version: TOOL_PINS.helm.version, major: 4 });
  });

  it('renders the chart with the image values file the deploy writes', async () => {
    const helm = await locateTool('helm');
    const manifests = await withValuesFiles(
      { valuesFiles: [], imageRepository: 'ghcr.io/acme/incidents-service', imageTag: '0.2.0' },
      async (files) =>
        (
          await runTool(
            helm,
            [
              'template',
              'incidents-service',
              CHART,
              '--namespace',
              'incidents',
              ...files.flatMap((f) => ['--values', f]),
              '--set',
              'replicaCount=3',
            ],
            { group: false },
          )
        ).stdout,
    );
    expect(manifests).toContain('image: "ghcr.io/acme/incidents-service:0.2.0"');
    expect(manifests).toMatch(/replicas: 3/);
    expect(manifests).toContain('app.kubernetes.io/instance: incidents-service');
  });

  it("fails with helm's reason when the cluster is unreachable, not as a missing release", async () => {
    // No cluster here: point helm at an empty kubeconfig so it fails fast, not at a real cluster.
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n');
      const helm = new HelmClient({
        binary: await locateTool('helm'),
        env: { KUBECONFIG: path.join(dir, 'config') },
      });
      await expect(helm.status({ release: 'x', namespace: 'y' })).rejects.toThrow(/helm status failed/);
    } finally {
      cleanup();
    }
  });
});
