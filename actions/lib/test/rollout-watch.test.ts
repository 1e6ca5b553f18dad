import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { KubectlClient, PodList, RawPod } from '../src/kubectl.js';
import { actionsLog, createConsoleLog, useLog } from '../src/log.js';
import { RolloutStuckError, watchRollout } from '../src/rollout-watch.js';

/**
 * The watch around a Helm command: it aborts the command's signal when a pod the command brought is
 * stuck past the grace, and leaves everything else to the command. The pods come from a stand-in for
 * the two KubectlClient reads the watch makes; the command is a promise that ends when aborted.
 */

const fixture = (name: string): RawPod =>
  JSON.parse(readFileSync(new URL(`./fixtures/pods/${name}.json`, import.meta.url), 'utf8')) as RawPod;
const serving: RawPod = { metadata: { name: 'incidents-service-5b7f-a1', uid: 'serving-uid' } };

/** The release's pods: `running` before the command starts, and `running` plus `brought()` after. */
function cluster(brought: () => RawPod[], running: RawPod[] = [serving]) {
  let started = false;
  const reads = { pods: 0 };
  const kubectl = {
    releasePods: (): Promise<PodList> => {
      reads.pods++;
      return Promise.resolve({ items: started ? [...running, ...brought()] : running });
    },
    releaseReplicaSets: () => Promise.resolve([]),
  } as unknown as KubectlClient;
  return { kubectl, reads, start: () => (started = true) };
}

/** A Helm command that waits until aborted, or until `finishAfterMs`. */
function waitingCommand(start: () => void, finishAfterMs?: number) {
  const seen: { aborted: boolean } = { aborted: false };
  const run = (signal?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      start();
      const done =
        finishAfterMs === undefined ? undefined : setTimeout(() => resolve('deployed'), finishAfterMs);
      signal?.addEventListener('abort', () => {
        seen.aborted = true;
        clearTimeout(done);
        reject(new Error('helm upgrade was stopped: context canceled'));
      });
    });
  return { run, seen };
}

beforeEach(() => useLog(createConsoleLog({ write: () => true } as unknown as NodeJS.WritableStream)));
afterEach(() => useLog(actionsLog));

describe('watchRollout', () => {
  it('stops the command once a new pod has shown an image it cannot pull for the grace period', async () => {
    const { kubectl, start } = cluster(() => [fixture('image-pull-backoff')]);
    const command = waitingCommand(start);
    const started = Date.now();
    const error = await watchRollout(
      { kubectl, namespace: 'incidents', release: 'incidents-service', graceMs: 1_000, intervalMs: 100 },
      command.run,
    ).catch((e: unknown) => e);
    expect(command.seen.aborted).toBe(true);
    expect(error).toBeInstanceOf(RolloutStuckError);
    expect((error as RolloutStuckError).message).toMatch(
      /^pod missing-image: container incidents-service: ImagePullBackOff: Back-off pulling image "incidents-cluster:9\.9\.9-does-not-exist": ErrImagePull: .* \(for \ds; fail-fast-after is 1s\)$/,
    );
    expect((error as RolloutStuckError).problem.forMs).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('lets a slow rollout finish: a pod running and not ready yet is no problem', async () => {
    const { kubectl, start, reads } = cluster(() => [fixture('running-not-ready')]);
    const command = waitingCommand(start, 600);
    await expect(
      watchRollout(
        { kubectl, namespace: 'incidents', release: 'incidents-service', graceMs: 100, intervalMs: 20 },
        command.run,
      ),
    ).resolves.toBe('deployed');
    expect(command.seen.aborted).toBe(false);
    // It did look, many times over the grace period.
    expect(reads.pods).toBeGreaterThan(10);
  });

  it('never counts a pod that was there before the command, however broken', async () => {
    const broken = { ...fixture('crash-loop-backoff'), metadata: serving.metadata };
    const { kubectl, start } = cluster(() => [], [broken]);
    const command = waitingCommand(start, 400);
    await expect(
      watchRollout(
        { kubectl, namespace: 'incidents', release: 'incidents-service', graceMs: 100, intervalMs: 20 },
        command.run,
      ),
    ).resolves.toBe('deployed');
  });

  it('passes a failure of the command through when no pod was stuck', async () => {
    const { kubectl, start } = cluster(() => [fixture('running-not-ready')]);
    const failing = () => (start(), Promise.reject(new Error('UPGRADE FAILED: context deadline exceeded')));
    await expect(
      watchRollout({ kubectl, namespace: 'incidents', release: 'incidents-service', graceMs: 100 }, failing),
    ).rejects.toThrow('context deadline exceeded');
  });

  it('with a grace of 0, runs the command unwatched and without a signal', async () => {
    const { kubectl, reads } = cluster(() => [fixture('image-pull-backoff')]);
    let signal: AbortSignal | undefined = new AbortController().signal;
    await watchRollout({ kubectl, namespace: 'incidents', release: 'incidents-service', graceMs: 0 }, (s) => {
      signal = s;
      return Promise.resolve('deployed');
    });
    expect(signal).toBeUndefined();
    expect(reads.pods).toBe(0);
  });
});
