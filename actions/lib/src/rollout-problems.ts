import type { ContainerStatus, RawPod, RawReplicaSet } from './kubectl.js';

/**
 * The decisions of fail-fast, apart from watching: which pods a rollout brought, which of their
 * states cannot heal by themselves, and when one has lasted long enough to give the rollout up.
 * Pure, so every case is checked against pod JSON as Kubernetes reports it, without a cluster.
 *
 * Only states that need a change of the release to clear count: an image that cannot be pulled, a
 * container that keeps crashing, a container the kubelet cannot even create, a pod no node takes.
 * A pod that is merely slow (running, not ready yet, not restarting) never does.
 */

/** What a pod shows that stops it from becoming ready, in the words of the kubelet or the scheduler. */
export interface PodProblem {
  pod: string;
  /** The container concerned; absent for a pod that was never scheduled. */
  container?: string;
  reason: string;
  message: string;
}

/** The kinds of problem; a lasting problem may change reason within its kind (ErrImagePull, ImagePullBackOff). */
export type ProblemKind = 'image' | 'crash' | 'config' | 'unschedulable';

export interface Finding extends PodProblem {
  /** The same for every sighting of one lasting problem: pod, container and kind. */
  key: string;
  /**
   * `shown`: the problem is visible now. `between`: the container is between two sightings (a
   * crash-looping container running again, a pull being retried): no new evidence, but no sign of
   * health either, so a problem already seen carries on and none starts.
   */
  seen: 'shown' | 'between';
}

/** Waiting reasons that do not clear without a change, by kind. */
const WAITING: Readonly<Record<string, ProblemKind>> = {
  ErrImagePull: 'image',
  ImagePullBackOff: 'image',
  InvalidImageName: 'image',
  ErrImageNeverPull: 'image',
  // The kubelet alternates these two for a container that starts and dies, or cannot be started.
  CrashLoopBackOff: 'crash',
  RunContainerError: 'crash',
  CreateContainerConfigError: 'config',
  CreateContainerError: 'config',
};
const CONTAINER_KINDS: readonly ProblemKind[] = ['image', 'crash', 'config'];

/** The longest message kept: the kubelet's pull errors run to several hundred characters. */
const MAX_MESSAGE = 400;

/** Where each of a pod's containers and the pod itself stand, as findings. */
export function podFindings(pod: RawPod): Finding[] {
  const name = pod.metadata?.name ?? '';
  const findings: Finding[] = [];
  const unscheduled = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unscheduled) {
    findings.push({
      pod: name,
      reason: 'Unschedulable',
      message: clip(unscheduled.message ?? ''),
      key: `${name}//unschedulable`,
      seen: 'shown',
    });
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) findings.push(...containerFindings(name, status));
  return findings;
}

function containerFindings(pod: string, status: ContainerStatus): Finding[] {
  const container = status.name ?? '';
  const finding = (kind: ProblemKind, seen: Finding['seen'], reason = '', message = ''): Finding => ({
    pod,
    container,
    reason,
    message,
    key: `${pod}/${container}/${kind}`,
    seen,
  });
  const { waiting, terminated, running } = status.state ?? {};
  const kind = waiting?.reason === undefined ? undefined : WAITING[waiting.reason];
  if (waiting && kind) {
    const others = CONTAINER_KINDS.filter((k) => k !== kind).map((k) => finding(k, 'between'));
    return [finding(kind, 'shown', waiting.reason, containerMessage(status)), ...others];
  }
  // Created, pulling, or just exited: whatever was wrong may still be.
  if (waiting || terminated) return CONTAINER_KINDS.map((k) => finding(k, 'between'));
  // Running again after crashes: a crash loop between two back-offs, ready or not (a container with
  // no readiness probe is ready as soon as it runs). Running without a restart is a start that is
  // slow, never a problem.
  if (running && (status.restartCount ?? 0) > 0) return [finding('crash', 'between')];
  return [];
}

/** The waiting message, and for a crash loop how the last run ended, which says more than the back-off. */
function containerMessage(status: ContainerStatus): string {
  const waiting = status.state?.waiting?.message ?? '';
  const last = status.lastState?.terminated;
  if (status.state?.waiting?.reason !== 'CrashLoopBackOff' || !last) return clip(waiting);
  const ended = [
    `last run ended: ${last.reason ?? 'terminated'}`,
    last.exitCode === undefined ? '' : ` (exit code ${last.exitCode})`,
    last.message ? `: ${last.message.trim()}` : '',
  ].join('');
  return clip(waiting ? `${waiting}; ${ended}` : ended);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_MESSAGE ? flat : `${flat.slice(0, MAX_MESSAGE - 1)}…`;
}

/**
 * The pods a rollout brought: not among the pods that ran before it started (`before`, their uids),
 * not being deleted, and, for pods of a Deployment, owned by its newest ReplicaSet (the highest
 * `deployment.kubernetes.io/revision`). A rollback reuses an old ReplicaSet and makes it the newest
 * again, so its fresh pods count; a pod of the old ReplicaSet that is replaced meanwhile does not.
 */
export function rolloutPods(
  pods: readonly RawPod[],
  replicaSets: readonly RawReplicaSet[],
  before: ReadonlySet<string>,
): RawPod[] {
  const newest = newestReplicaSets(replicaSets);
  const known = new Set(replicaSets.map((rs) => rs.metadata?.name));
  return pods.filter((pod) => {
    if (before.has(pod.metadata?.uid ?? '') || pod.metadata?.deletionTimestamp) return false;
    const owner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
    // A pod of no ReplicaSet, or of one the list did not show, has no older sibling to be told from.
    return owner === undefined || !known.has(owner) || newest.has(owner);
  });
}

/** Per owning Deployment, the name of the ReplicaSet with the highest revision. */
function newestReplicaSets(replicaSets: readonly RawReplicaSet[]): Set<string> {
  const best = new Map<string, { name: string; revision: number }>();
  for (const rs of replicaSets) {
    const name = rs.metadata?.name ?? '';
    const owner =
      rs.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name ?? `(none)/${name}`;
    const revision = Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const current = best.get(owner);
    if (!current || revision > current.revision) best.set(owner, { name, revision });
  }
  return new Set([...best.values()].map((b) => b.name));
}

/** When each problem still carried on was first seen (ms), by finding key. */
export type Sightings = ReadonlyMap<string, number>;

export interface Verdict {
  sightings: Sightings;
  /** A problem shown now that has carried on for at least the grace period: give the rollout up. */
  stuck?: PodProblem & { forMs: number };
}

/**
 * One more look at the rollout's pods at `now`: problems shown start or carry on, a container
 * between two sightings carries its problem on, and anything else (a pod gone, ready, or running
 * without restarts) ends it. The rollout is stuck when a problem shown now was first seen at least
 * `graceMs` ago without a break.
 */
export function nextVerdict(
  previous: Sightings,
  findings: readonly Finding[],
  now: number,
  graceMs: number,
): Verdict {
  const sightings = new Map<string, number>();
  for (const f of findings) {
    const since = previous.get(f.key) ?? sightings.get(f.key);
    if (since !== undefined) sightings.set(f.key, since);
    else if (f.seen === 'shown') sightings.set(f.key, now);
  }
  const stuck = findings
    .filter((f) => f.seen === 'shown')
    .map((f) => ({ finding: f, forMs: now - (sightings.get(f.key) ?? now) }))
    .filter(({ forMs }) => forMs >= graceMs)
    .sort((a, b) => b.forMs - a.forMs)[0];
  if (!stuck) return { sightings };
  const { pod, container, reason, message } = stuck.finding;
  return { sightings, stuck: { pod, container, reason, message, forMs: stuck.forMs } };
}

/** `pod P: container C: Reason: message`, the way the step names what stopped the rollout. */
export function describeProblem(problem: PodProblem): string {
  const where = problem.container
    ? `pod ${problem.pod}: container ${problem.container}`
    : `pod ${problem.pod}`;
  return `${where}: ${problem.reason}${problem.message ? `: ${problem.message}` : ''}`;
}
