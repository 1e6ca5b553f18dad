import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runBundle, tempDir } from '@incidents-pipeline/actions-lib/testing/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/actions-lib/testing/stand-in-tools';

/**
 * The committed bundle, run as the runner runs it, against a stand-in `helm`: a release with seven
 * revisions whose current one recorded an image by digest; its pods as the workflow's kubectl step
 * writes them to a file.
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

function release(): StandInState {
  return {
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
const cleanups: (() => void)[] = [];
afterEach(() => {
  tools?.cleanup();
  cleanups.splice(0).forEach((c) => c());
});

/** The pods as the workflow's `kubectl get pods -o json` step leaves them, in a file. */
function podsFile(pods: unknown[] | string): string {
  const { dir, cleanup } = tempDir('release-pods-');
  cleanups.push(cleanup);
  const file = path.join(dir, 'pods.json');
  writeFileSync(file, typeof pods === 'string' ? pods : JSON.stringify({ kind: 'List', items: pods }));
  return file;
}

async function report(state: StandInState, inputs: Record<string, string> = {}) {
  tools = createStandIns(['helm'], state);
  const run = await runBundle(BUNDLE, inputs, tools.env);
  return { run, calls: tools.calls() };
}

describe('release-report bundle', () => {
  it('shows the last five revisions, newest first, and no drift when the pods run the recorded digest', async () => {
    const running = `${REPO}:0.7.0@${DIGEST}`;
    const { run, calls } = await report(release(), {
      'pods-file': podsFile([pod('p1', running, `${REPO}@${DIGEST}`)]),
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs).toEqual({ revision: '7', drift: 'false' });
    const rows = run.summary.split('\n').filter((l) => /^\| \d/.test(l));
    expect(rows.map((r) => Number(r.split('|')[1]))).toEqual([7, 6, 5, 4, 3]);
    expect(rows[0]).toBe('| 7 | 0.7.0 | 2026-11-17T09:00:00Z | deployed | Rollback to 5 |');
    expect(rows[1]).toContain('| failed |');
    expect(run.summary).toContain(`Recorded by Helm: \`${running}\``);
    expect(run.summary).toContain('none: the pods run the recorded image');
    expect(run.summary).not.toContain('never-in-the-summary');
    // Helm is asked for only what is shown.
    expect(calls.find((c) => c.args[0] === 'history')?.args).toEqual(
      expect.arrayContaining(['--max', '5', '--namespace', 'incidents']),
    );
  });

  it('reports drift, without failing, when a pod runs another image than recorded', async () => {
    const { run } = await report(release(), {
      history: '2',
      'pods-file': podsFile([
        pod('p1', `${REPO}:0.7.0@${DIGEST}`, `${REPO}@${DIGEST}`),
        pod('p2', `${REPO}:0.8.0`, `${REPO}@sha256:${'8'.repeat(64)}`),
      ]),
    });
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

  it('says drift was not compared without a pod list', async () => {
    const { run } = await report(release());
    expect(run.exitCode).toBe(0);
    expect(run.outputs.drift).toBe('');
    expect(run.summary).toContain('no pod list given');
  });

  it.each([
    [{ history: '50' }, "input 'history': must be at most 20"],
    [{ 'pods-file': '/nonexistent/pods.json' }, "input 'pods-file': cannot read /nonexistent/pods.json"],
  ])('refuses %j', async (inputs, message) => {
    const { run } = await report(release(), inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toContain(message);
  });

  it('refuses a pod list that is not JSON', async () => {
    const { run } = await report(release(), { 'pods-file': podsFile('Error from server (Forbidden)') });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/pod list is not JSON/);
  });
});
