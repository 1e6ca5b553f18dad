import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { PROJECT } from '@incidents-pipeline/devtools/act/invocation';

/**
 * The kind stand-in of local act runs (.github/act/stand-ins/bin/kind). It exists because kind cannot
 * run here: its node image comes from a container registry, which this machine does not reach. Under
 * `npm run act` the kind-action stand-in starts the local cluster instead, and this answers the two
 * kind calls our actions and workflows make on it (`get clusters`, `load docker-image`), which
 * deliver.act.test.ts and ci.act.test.ts exercise against the real cluster. Everything else it must
 * refuse by name rather than pretend; that is what this file checks, with no cluster.
 */

const KIND = path.join(PROJECT, '.github/act/stand-ins/bin/kind');

const kind = (args: string[], env: Record<string, string> = {}) =>
  execa(KIND, args, {
    env: { INCIDENTS_ACT_KIND_CLUSTER: 'incidents-act', INCIDENTS_ACT_PROJECT: PROJECT, ...env },
    reject: false,
    all: true,
  });

describe('the kind stand-in', () => {
  test('refuses to run outside a job where kind-action brought up the cluster', async () => {
    const run = await kind(['get', 'clusters'], { INCIDENTS_ACT_KIND_CLUSTER: '' });
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain('no cluster: run helm/kind-action first, through npm run act');
  });

  test('refuses every kind command it does not implement, by name', async () => {
    const run = await kind(['create', 'cluster', '--name', 'incidents-act']);
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain(
      "'kind create cluster --name incidents-act' is not available locally: only 'get clusters' and 'load docker-image'",
    );
  });

  test('refuses to load into a cluster of another name', async () => {
    const run = await kind(['load', 'docker-image', 'incidents-service:0.1.0', '--name', 'incidents']);
    expect(run.exitCode).toBe(1);
    expect(run.all).toContain("no cluster 'incidents' (the local cluster is 'incidents-act')");
  });
});
