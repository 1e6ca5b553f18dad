import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { pipelineRepo } from '../act/pipeline-repo.js';
import { runAct } from '../act/run.js';
import type { TestRepo } from '@incidents-pipeline/test-support/git-repo';
import { ALL_PINS, locateDevTool } from '../tools/pins.js';

/** The major of the Node `npm run act` puts first on PATH (the bootstrap's), not of this process. */
const NODE_MAJOR = ALL_PINS.node.version.replace(/^v/, '').split('.')[0];

/**
 * The stand-ins that need no cluster, each run by act in a workflow of a test repository that uses
 * them at the commits the real workflows pin (read from deliver.yml, so a new pin is used here too).
 * kind-action's stand-in needs the local cluster and is run by the deliver.yml case.
 * Stand-ins at all, because act would fetch the real actions from GitHub, which this machine cannot
 * reach; each does the equivalent here (see .github/act/stand-ins/README.md).
 */

const cacheDir = tempDir('act-stand-ins-').dir;
const PASSWORD = 'registry-password-4b1d0e77';
let repo: TestRepo;
let helmFile: string;

beforeAll(async () => {
  repo = await pipelineRepo();
  const deliver = readFileSync(path.join(repo.dir, '.github/workflows/deliver.yml'), 'utf8');
  const pin = (name: string) => {
    const match = new RegExp(`uses: (${name}@[0-9a-f]{40})`).exec(deliver);
    if (!match) throw new Error(`deliver.yml pins no ${name}`);
    return match[1];
  };
  helmFile = path.join(tempDir('act-helm-').dir, 'helm');
  writeFileSync(
    path.join(repo.dir, '.github/workflows/stand-ins.yml'),
    `name: stand-ins
on: workflow_dispatch
permissions: {}
jobs:
  stand-ins:
    runs-on: ubuntu-latest
    steps:
      - uses: ${pin('actions/setup-node')}
        with:
          node-version: \${{ vars.NODE_VERSION }}
      - uses: ${pin('Azure/setup-helm')}
        with:
          version: v4.3.2
      - run: command -v helm > "$HELM_FILE"
        env:
          HELM_FILE: \${{ vars.HELM_FILE }}
      - uses: ${pin('docker/login-action')}
        with:
          registry: ghcr.io
          username: someone
          password: \${{ secrets.REGISTRY_PASSWORD }}
      - uses: ${pin('softprops/action-gh-release')}
        with:
          tag_name: v0.1.0
          body: notes
`,
  );
});

afterAll(() => repo?.cleanup());

const standIns = (nodeVersion: string) =>
  runAct(
    [
      'workflow_dispatch',
      '-W',
      '.github/workflows/stand-ins.yml',
      '--var',
      `NODE_VERSION=${nodeVersion}`,
      '--var',
      `HELM_FILE=${helmFile}`,
      '-s',
      `REGISTRY_PASSWORD=${PASSWORD}`,
    ],
    { cwd: repo.dir, cacheDir },
  );

describe('the stand-ins in a run', () => {
  test("setup-node accepts the bootstrap's node; setup-helm puts the bootstrap's helm first; the rest record", async () => {
    const run = await standIns(NODE_MAJOR);
    expect(run.jobs).toEqual({ 'stand-ins': 'success' });
    expect(readFileSync(helmFile, 'utf8').trim()).toBe(await locateDevTool('helm'));
    expect(run.records).toEqual([
      {
        action: 'docker/login-action',
        job: 'stand-ins',
        inputs: expect.objectContaining({ registry: 'ghcr.io', username: 'someone', password: '(set)' }),
      },
      {
        action: 'softprops/action-gh-release',
        job: 'stand-ins',
        inputs: expect.objectContaining({ tag_name: 'v0.1.0', body: 'notes' }),
      },
    ]);
    expect(JSON.stringify(run.records)).not.toContain(PASSWORD);
    expect(run.output).not.toContain(PASSWORD);
  });

  test('setup-node fails the run when this node is not the version asked for', async () => {
    const other = String(Number(NODE_MAJOR) + 1);
    const run = await standIns(other);
    expect(run.jobs).toEqual({ 'stand-ins': 'failure' });
    expect(run.steps).toContainEqual({
      jobId: 'stand-ins',
      step: expect.stringMatching(/^actions\/setup-node@/),
      result: 'failure',
    });
    expect(run.records).toEqual([]);
  });
});
