import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runBundle } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

/**
 * The committed bundle, run as the runner runs it, against a stand-in `helm` and `kubectl`: a release
 * with seven revisions whose current one recorded an image by digest, and the pods kubectl lists.
 */
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REPO = 'registry.example/incidents-service';
const DIGEST = `sha256:${'7'.repeat(64)}`;

jest.setTimeout(30_000);

function pod(name: string, image: string, imageID: string) {
  return {
    metadata: { name },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'incidents-service', image, imageID, ready: true }],
    },
  };
}

function release(pods: unknown[] = []): StandInState {
  return {
    pods,
    helmVersion: 'v4.1.4',
    releases: {
      'incidents-service': {
        namespace: 'incidents',
        history: [1, 2, 3, 4, 5, 6, 7].map((revision) => ({
          revision,
          updated: `2026-11-1${revision}T09:00:00Z`,
          chart: 'incidents-service-0.1.0',
          app_version: `0.${revision}.0`,
          status: revision === 7 ? 'deployed' : revision === 6 ? 'failed' : 'superseded',
          description: revision === 7 ? 'Rollback to 5' : 'Upgrade complete',
          config: {
            image: { repository: REPO, tag: `0.${revision}.0`, digest: DIGEST },
            auth: { apiToken: 'never-in-the-summary' },
          },
        })),
      },
    },
  };
}

let tools: StandIns | undefined;
afterEach(() => tools?.cleanup());

async function report(state: StandInState, inputs: Record<string, string> = {}) {
  tools = createStandIns(['helm', 'kubectl'], state);
  const run = await runBundle(BUNDLE, inputs, tools.env);
  return { run, calls: tools.calls() };
}

describe('release-report bundle', () => {
  it('shows the last five revisions, newest first, and no drift when the pods run the recorded digest', async () => {
    const running = `${REPO}:0.7.0@${DIGEST}`;
    const { run, calls } = await report(release([pod('p1', running, `${REPO}@${DIGEST}`)]));
    expect(run.errors).toEqual([]);
    expect(run.outputs).toEqual({ revision: '7', drift: 'false' });
    const rows = run.summary.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows.map((r) => Number(r.split('|')[1]))).toEqual([7, 6, 5, 4, 3]);
    expect(rows[0]).toBe('| 7 | 0.7.0 | 2026-11-17T09:00:00Z | deployed | Rollback to 5 |');
    expect(rows[1]).toContain('| failed |');
    expect(run.summary).toContain(`Recorded by Helm: \`${running}\``);
    expect(run.summary).toContain('none: the pods run the recorded image');
    expect(run.summary).not.toContain('never-in-the-summary');
    // Helm is asked for only what is shown; kubectl for the release's pods, not its helm test pod.
    expect(calls.find((c) => c.args[0] === 'history')?.args).toEqual(
      expect.arrayContaining(['--max', '5', '--namespace', 'incidents']),
    );
    expect(calls.filter((c) => c.tool === 'kubectl').map((c) => c.args)).toEqual([
      [
        'get',
        'pods',
        '--namespace',
        'incidents',
        '--selector',
        'app.kubernetes.io/instance=incidents-service,app.kubernetes.io/name',
        '--output',
        'json',
      ],
    ]);
  });

  it('reports drift, without failing, when a pod runs another image than recorded', async () => {
    const { run } = await report(
      release([
        pod('p1', `${REPO}:0.7.0@${DIGEST}`, `${REPO}@${DIGEST}`),
        pod('p2', `${REPO}:0.8.0`, `${REPO}@sha256:${'8'.repeat(64)}`),
      ]),
      { history: '2' },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.drift).toBe('true');
    expect(run.summary).toContain('**drift**');
    expect(run.summary).toContain(`p2/incidents-service runs ${REPO}:0.8.0`);
    expect(run.summary.split('\n').filter((l) => /^\| \d/.test(l))).toHaveLength(2);
  });

  it('says so when the release is not installed', async () => {
    const { run } = await report({ helmVersion: 'v4.1.4', releases: {} });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ revision: '', drift: '' });
    expect(run.summary).toContain('not installed');
  });

  it('says drift was not compared when no pod runs', async () => {
    const { run } = await report(release());
    expect(run.exitCode).toBe(0);
    expect(run.outputs.drift).toBe('');
    expect(run.summary).toContain('no running pods to compare');
  });

  it('refuses a history longer than it shows', async () => {
    const { run } = await report(release(), { history: '50' });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain("input 'history': must be at most 20");
  });
});
