import { setTimeout as sleep } from 'node:timers/promises';
import { ActionError, MissingToolError } from './errors.js';
import type { KubectlClient } from './kubectl.js';
import { log } from './log.js';
import {
  describeProblem,
  nextVerdict,
  podFindings,
  rolloutPods,
  type PodProblem,
  type Sightings,
} from './rollout-problems.js';

/**
 * Fail-fast: while Helm waits for a rollout, look at the pods it brings every few seconds, and stop
 * Helm when one shows, for longer than a grace period, a problem that cannot heal by itself (see
 * rollout-problems.ts). Helm's own wait would sit out its whole timeout on a pod that can never
 * start (helm/helm#3020, #10809).
 */

/** How long a problem may last before the rollout is given up, unless told otherwise. */
export const DEFAULT_FAIL_FAST_AFTER_MS = 60_000;

export interface RolloutWatchOptions {
  kubectl: KubectlClient;
  namespace: string;
  release: string;
  /** How long a problem must last, without a break, to give the rollout up; 0 turns the watch off. */
  graceMs: number;
  /** Time between two looks; default 3 s, never more than the grace. */
  intervalMs?: number;
}

/** A rollout given up because one of its pods cannot become ready. */
export class RolloutStuckError extends ActionError {
  override readonly name = 'RolloutStuckError';
  constructor(
    readonly problem: PodProblem & { forMs: number },
    readonly graceMs: number,
  ) {
    super(
      `${describeProblem(problem)} (for ${Math.round(problem.forMs / 1000)}s; fail-fast-after is ${Math.round(graceMs / 1000)}s)`,
    );
  }
}

/**
 * Runs `operation`, a Helm command that waits for the release's rollout, while watching the pods the
 * rollout brings. When one is stuck, `operation`'s signal is aborted, and once the command has ended
 * a `RolloutStuckError` names the pod; should the command have finished anyway, its result stands.
 * The pods running before the command starts are never the rollout's. A watch that cannot read the
 * pods says so once and lets Helm wait on alone.
 */
export async function watchRollout<T>(
  options: RolloutWatchOptions,
  operation: (signal?: AbortSignal) => Promise<T>,
): Promise<T> {
  if (options.graceMs <= 0) return operation();
  const before = await podUids(options).catch((error: unknown) => {
    log().warning(`fail-fast is off for this rollout: cannot list the release's pods: ${reason(error)}`);
    return undefined;
  });
  if (!before) return operation();

  const helm = new AbortController();
  const watch = new AbortController();
  const watching = lookForStuckPod(options, before, watch.signal).then((stuck) => {
    if (stuck) {
      log().info(`Stopping the rollout: ${describeProblem(stuck)}`);
      helm.abort();
    }
    return stuck;
  });
  const outcome = await operation(helm.signal).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  watch.abort();
  const stuck = await watching;
  if (outcome.ok) return outcome.value;
  if (stuck) throw new RolloutStuckError(stuck, options.graceMs);
  throw outcome.error;
}

async function podUids(options: RolloutWatchOptions): Promise<Set<string>> {
  const pods = await options.kubectl.releasePods(options.namespace, options.release);
  return new Set((pods.items ?? []).map((p) => p.metadata?.uid ?? '').filter((uid) => uid !== ''));
}

/** Looks until a pod is stuck (its problem) or `stop` is aborted (undefined). */
async function lookForStuckPod(
  options: RolloutWatchOptions,
  before: ReadonlySet<string>,
  stop: AbortSignal,
): Promise<(PodProblem & { forMs: number }) | undefined> {
  const interval = Math.min(options.intervalMs ?? 3_000, options.graceMs);
  let sightings: Sightings = new Map();
  let warned = false;
  while (!stop.aborted) {
    try {
      const [pods, replicaSets] = await Promise.all([
        options.kubectl.releasePods(options.namespace, options.release),
        options.kubectl.releaseReplicaSets(options.namespace, options.release),
      ]);
      const findings = rolloutPods(pods.items ?? [], replicaSets, before).flatMap(podFindings);
      const verdict = nextVerdict(sightings, findings, Date.now(), options.graceMs);
      for (const f of findings) {
        if (f.seen === 'shown' && !sightings.has(f.key)) {
          log().info(
            `fail-fast: ${describeProblem(f)}; the rollout is given up if it lasts ${Math.round(options.graceMs / 1000)}s`,
          );
        }
      }
      sightings = verdict.sightings;
      if (verdict.stuck) return verdict.stuck;
    } catch (error) {
      if (error instanceof MissingToolError) {
        log().warning(`fail-fast is off for this rollout: ${error.message}`);
        return undefined;
      }
      // The API may be briefly unreachable during a rollout; say so once and look again.
      if (!warned) log().warning(`fail-fast could not read the release's pods: ${reason(error)}`);
      warned = true;
    }
    await sleep(interval, undefined, { signal: stop }).catch(() => undefined);
  }
  return undefined;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
