import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rollBack } from '../src/deploy-recovery.js';
import { HelmClient, type ReleaseTarget } from '../src/helm.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

/**
 * The recovery room against the stand-in helm: each step reports the state it left, and changes nothing
 * it was given. Helm 4's own rollback and a stuck release's refusal and recovery are proven on the local
 * cluster (broken-upgrade and stuck-release scenarios); kept here is the explicit rollBack, which only
 * the Helm 3 path and a failed smoke test take, and the removal of a failed first install.
 */
jest.setTimeout(30_000);

const target: ReleaseTarget = { release: 'incidents-service', namespace: 'incidents' };
let tools: StandIns | undefined;
afterEach(() => tools?.cleanup());

function revision(revision: number, status: string, description = 'Upgrade complete') {
  return {
    revision,
    status,
    description,
    updated: '',
    chart: 'incidents-service-0.1.0',
    app_version: '0.1.0',
    config: {},
  };
}

function helmWith(history: ReturnType<typeof revision>[]): HelmClient {
  const state: StandInState = {
    helmVersion: 'v4.1.4',
    releases: { [target.release]: { namespace: 'incidents', history } },
  };
  tools = createStandIns(['helm'], state);
  return new HelmClient({ env: tools.env });
}

describe('rollBack', () => {
  it('returns to the last revision that served and reports it, leaving the given state alone', async () => {
    const helm = helmWith([revision(1, 'superseded'), revision(2, 'deployed'), revision(3, 'failed')]);
    const current = Object.freeze({ revision: 3, status: 'failed' });
    const after = await rollBack(helm, target, { timeout: '1m', previousRevision: 2, current });
    expect(after).toEqual({ revision: 4, status: 'deployed', rolledBack: true });
    expect(current).toEqual({ revision: 3, status: 'failed' });
  });

  it('removes a first install that never served', async () => {
    const helm = helmWith([revision(1, 'failed', 'Install failed')]);
    const after = await rollBack(helm, target, { timeout: '1m', current: { revision: 1, status: 'failed' } });
    expect(after).toEqual({ revision: 0, status: 'uninstalled', rolledBack: true });
    expect(tools?.state().releases).toEqual({});
  });
});

describe('HelmClient failures', () => {
  it("quote the tool's error line, not whatever came last on stderr", async () => {
    const { dir, cleanup } = tempDir();
    try {
      // Helm with HELM_DEBUG set prints its error, then debug lines.
      const helm = path.join(dir, 'helm');
      writeFileSync(
        helm,
        [
          '#!/bin/sh',
          'echo "Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:6443: connect: connection refused" >&2',
          'echo "helm.go:92: [debug] Kubernetes cluster unreachable" >&2',
          'exit 1',
        ].join('\n'),
      );
      chmodSync(helm, 0o755);
      await expect(new HelmClient({ binary: helm }).status(target)).rejects.toThrow(
        /^helm status failed \(exit 1\): Kubernetes cluster unreachable: dial tcp 127\.0\.0\.1:6443: connect: connection refused$/,
      );
    } finally {
      cleanup();
    }
  });
});
