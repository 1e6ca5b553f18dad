import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runBundle, type Inputs } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

/**
 * The committed bundle, run the way the runner runs it, against stand-in `helm` and `kubectl` that
 * record their arguments and keep the release's history. The real rollback on a cluster is proven by
 * the cluster tests; here: which revision is chosen, the arguments Helm gets, and the summary.
 */
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));

jest.setTimeout(30_000);

/** Revisions 1 (0.1.0), 2 (0.2.0, superseded) and 3 (0.3.0, deployed): the usual A, B, C. */
function releaseAt(helmVersion: string, extra: Partial<StandInState> = {}): StandInState {
  return {
    helmVersion,
    releases: {
      'incidents-service': {
        namespace: 'incidents',
        history: ['0.1.0', '0.2.0', '0.3.0'].map((version, i) => ({
          revision: i + 1,
          updated: `2026-11-2${i + 1}T09:00:00Z`,
          chart: 'incidents-service-0.1.0',
          app_version: version,
          status: i === 2 ? 'deployed' : 'superseded',
          description: i === 0 ? 'Install complete' : 'Upgrade complete',
          config: {
            image: {
              repository: 'registry.example/incidents-service',
              tag: version,
              digest: `sha256:${String(i + 1).repeat(64)}`,
            },
            auth: { apiToken: 'never-shown-in-a-summary' },
          },
        })),
      },
    },
    deployments: [
      { metadata: { name: 'incidents-service' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } },
    ],
    pods: [],
    events: [],
    ...extra,
  };
}

let tools: StandIns | undefined;
afterEach(() => tools?.cleanup());

async function rollback(state: StandInState, inputs: Inputs = {}) {
  tools = createStandIns(['helm', 'kubectl'], state);
  const run = await runBundle(BUNDLE, inputs, tools.env);
  const helmCalls = tools.calls('helm');
  return {
    run,
    rollbackCalls: helmCalls.filter((c) => c.args[0] === 'rollback').map((c) => c.args),
    commands: helmCalls.map((c) => c.args[0]),
  };
}

describe('helm-rollback bundle', () => {
  it('returns to the previous revision by default, waits with Helm 4 flags and smoke-tests it', async () => {
    const { run, rollbackCalls, commands } = await rollback(releaseAt('v4.1.4'));
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(rollbackCalls).toEqual([
      ['rollback', 'incidents-service', '2', '--namespace', 'incidents', '--timeout', '5m', '--wait=watcher'],
    ]);
    expect(commands).toContain('test');
    expect(run.outputs).toEqual({
      revision: '4',
      status: 'deployed',
      'previous-revision': '3',
      'rolled-back-to': '2',
    });
    expect(run.summary).toContain('Rolled back incidents-service');
    expect(run.summary).toContain('4 (rolled back to 2, was 3)');
    expect(run.summary).toContain(`registry.example/incidents-service:0.2.0@sha256:${'2'.repeat(64)}`);
    expect(run.summary).toMatch(/Pods ready<\/td><td>2\/2/);
    expect(run.summary).not.toContain('never-shown-in-a-summary');
  });

  it('returns to the revision asked for, with Helm 3 flags, a context and no wait', async () => {
    const { run, rollbackCalls } = await rollback(releaseAt('v3.17.0'), {
      revision: '1',
      wait: 'false',
      timeout: '90s',
      'kube-context': 'deployer@staging',
      'smoke-test': 'none',
    });
    expect(run.errors).toEqual([]);
    expect(rollbackCalls).toEqual([
      [
        'rollback',
        'incidents-service',
        '1',
        '--namespace',
        'incidents',
        '--kube-context',
        'deployer@staging',
        '--timeout',
        '90s',
      ],
    ]);
    expect(run.outputs['rolled-back-to']).toBe('1');
  });

  it.each([
    ['a revision that does not exist', { revision: '9' }, /has no revision 9 \(revisions kept: 1, 2, 3\)/],
    ['the current revision', { revision: '3' }, /revision 3 of incidents-service is the current one/],
    ['a release that does not exist', { release: 'other' }, /release other does not exist/],
  ])('refuses %s before Helm changes anything', async (_case, inputs, message) => {
    const { run, rollbackCalls } = await rollback(releaseAt('v4.1.4'), inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(rollbackCalls).toEqual([]);
  });

  it('stops waiting when a pod of the revision rolled back to cannot pull its image, and returns to the one before', async () => {
    // The stand-in helm's stalled rollback: a real one needs a cluster, which this layer has not.
    // Cluster scenario 6e proves it on Helm 4.3.2, whose rollback dies on SIGTERM and leaves the
    // release pending-rollback, as the stand-in does.
    const pulling = {
      metadata: { name: 'incidents-service-5b7f-q8', uid: 'q8' },
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'incidents-service',
            ready: false,
            restartCount: 0,
            state: {
              waiting: {
                reason: 'ErrImagePull',
                message:
                  'failed to pull and unpack image "registry.example/incidents-service:0.2.0": not found',
              },
            },
          },
        ],
      },
    };
    const { run, rollbackCalls } = await rollback(
      releaseAt('v4.1.4', { rollbackStalls: 2, stalledPods: [pulling] }),
      {
        'fail-fast-after': '1s',
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^rollback of incidents-service to revision 2 failed \(returned to revision 3\): pod incidents-service-5b7f-q8: container incidents-service: ErrImagePull: failed to pull and unpack image "registry\.example\/incidents-service:0\.2\.0": not found \(for \ds; fail-fast-after is 1s\)$/,
      ),
    ]);
    // Helm died on SIGTERM with revision 4 pending-rollback; revision 5 runs revision 3 again.
    expect(rollbackCalls.map((args) => args[2])).toEqual(['2', '3']);
    expect(run.outputs).toMatchObject({ revision: '5', status: 'deployed', 'previous-revision': '3' });
    expect(run.summary).toContain('#### Diagnostics');
  });

  it('fails with diagnostics in the summary when the rolled-back release does not pass its test', async () => {
    const { run, rollbackCalls } = await rollback(releaseAt('v4.1.4', { testFails: true }));
    expect(rollbackCalls).toHaveLength(1);
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/^rollback of incidents-service to revision 2 failed: helm test failed/);
    expect(run.summary).toContain('Rollback of incidents-service failed');
    expect(run.summary).toContain('#### Diagnostics');
  });
});
