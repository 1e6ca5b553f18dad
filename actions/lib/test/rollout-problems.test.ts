import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { RawPod, RawReplicaSet } from '../src/kubectl.js';
import {
  describeProblem,
  nextVerdict,
  podFindings,
  rolloutPods,
  type Sightings,
} from '../src/rollout-problems.js';

/**
 * Fail-fast's decisions over pod JSON in the shapes Kubernetes reports (fixtures/pods/README.md):
 * what each state of a pod counts as, and when a sequence of looks gives a rollout up.
 */

const fixture = (name: string): RawPod =>
  JSON.parse(readFileSync(new URL(`./fixtures/pods/${name}.json`, import.meta.url), 'utf8')) as RawPod;

describe('podFindings', () => {
  it.each([
    [
      'err-image-pull',
      'ErrImagePull',
      /^failed to pull and unpack image "docker\.io\/library\/incidents-cluster:9\.9\.9-does-not-exist": .*connection refused$/,
    ],
    [
      'image-pull-backoff',
      'ImagePullBackOff',
      /^Back-off pulling image "incidents-cluster:9\.9\.9-does-not-exist": ErrImagePull: failed to pull and unpack image/,
    ],
    ['invalid-image-name', 'InvalidImageName', /invalid reference format/],
    [
      'create-container-config-error',
      'CreateContainerConfigError',
      /^configmap "incidents-service-env" not found$/,
    ],
    // The back-off says little; how the last run ended says why.
    [
      'crash-loop-backoff',
      'CrashLoopBackOff',
      /^back-off 40s restarting failed container=incidents-service pod=crash-loop_capture-pods\(.*\); last run ended: Error \(exit code 1\)$/,
    ],
    [
      'start-error-backoff',
      'CrashLoopBackOff',
      /; last run ended: StartError \(exit code 128\): .*exec: "\/node": stat \/node: no such file or directory$/,
    ],
    ['run-container-error', 'RunContainerError', /unable to start container process: exec: "\/node"/],
  ])('%s: the container shows %s', (name, reason, message) => {
    const pod = fixture(name);
    const shown = podFindings(pod).filter((f) => f.seen === 'shown');
    expect(shown).toEqual([
      expect.objectContaining({ pod: pod.metadata?.name, container: 'incidents-service', reason }),
    ]);
    expect(shown[0].message).toMatch(message);
  });

  it('unschedulable: the pod shows the scheduler’s reason, with no container', () => {
    const findings = podFindings(fixture('unschedulable'));
    expect(findings).toEqual([
      expect.objectContaining({
        pod: 'unschedulable',
        reason: 'Unschedulable',
        seen: 'shown',
      }),
    ]);
    expect(findings[0].container).toBeUndefined();
    expect(findings[0].message).toMatch(/^0\/1 nodes are available: 1 Insufficient cpu\./);
  });

  it.each([
    // A container being created or pulled again may still be what it was: carried, never started.
    ['container-creating', ['image', 'crash', 'config']],
    // Running again between two crash back-offs, not ready.
    ['crash-loop-running', ['crash']],
    // Slow but healthy, and healthy: nothing at all.
    ['running-not-ready', []],
    ['ready', []],
  ])('%s: only carries on problems of kinds %j', (name, kinds) => {
    const findings = podFindings(fixture(name));
    expect(findings.filter((f) => f.seen === 'shown')).toEqual([]);
    expect(findings.map((f) => f.key.split('/').at(-1))).toEqual(kinds);
  });

  it('names the pod and the container the way the step reports them', () => {
    const [shown] = podFindings(fixture('create-container-config-error'));
    expect(describeProblem(shown)).toBe(
      'pod config-error: container incidents-service: CreateContainerConfigError: configmap "incidents-service-env" not found',
    );
    const [unscheduled] = podFindings(fixture('unschedulable'));
    expect(describeProblem(unscheduled)).toMatch(
      /^pod unschedulable: Unschedulable: 0\/1 nodes are available/,
    );
  });

  it('keeps a long kubelet message to 400 characters', () => {
    const pod = fixture('image-pull-backoff');
    const waiting = pod.status!.containerStatuses![0].state!.waiting!;
    waiting.message = `${waiting.message} ${'x'.repeat(500)}`;
    expect(podFindings(pod)[0].message).toHaveLength(400);
  });
});

describe('nextVerdict', () => {
  const GRACE = 60_000;
  /** One pod in the state of a fixture (the fixtures come from different pods). */
  const onePod = (state: string): RawPod => {
    const pod = fixture(state);
    return { ...pod, metadata: { ...pod.metadata, name: 'incidents-service-7d9c6b5f48-x2x9q' } };
  };
  /** Looks at one pod at the given seconds; returns the second at which the rollout is given up. */
  function givenUpAt(timeline: [number, string | undefined][]): { at?: number; reason?: string } {
    let sightings: Sightings = new Map();
    for (const [second, state] of timeline) {
      const findings = state === undefined ? [] : podFindings(onePod(state));
      const verdict = nextVerdict(sightings, findings, second * 1000, GRACE);
      sightings = verdict.sightings;
      if (verdict.stuck) return { at: second, reason: verdict.stuck.reason };
    }
    return {};
  }
  /** `state` seen every 3 s from `from` to `to` seconds (inclusive), as the watch looks. */
  const every3s = (from: number, to: number, state: string | undefined): [number, string | undefined][] =>
    Array.from({ length: Math.floor((to - from) / 3) + 1 }, (_, i) => [from + 3 * i, state]);

  it.each([
    {
      what: 'an image that cannot be pulled, switching between ErrImagePull and ImagePullBackOff',
      timeline: [...every3s(0, 27, 'err-image-pull'), ...every3s(30, 90, 'image-pull-backoff')],
      expected: { at: 60, reason: 'ImagePullBackOff' },
    },
    {
      what: 'a pull retried in between (ContainerCreating) does not break the problem',
      timeline: [
        ...every3s(0, 30, 'image-pull-backoff'),
        [33, 'container-creating'],
        ...every3s(36, 90, 'image-pull-backoff'),
      ],
      expected: { at: 60, reason: 'ImagePullBackOff' },
    },
    {
      what: 'a crash loop whose container runs a few seconds between back-offs',
      timeline: [
        [0, 'crash-loop-backoff'],
        [15, 'crash-loop-running'],
        [18, 'crash-loop-backoff'],
        [45, 'crash-loop-running'],
        [48, 'crash-loop-backoff'],
        [57, 'crash-loop-running'],
        [60, 'crash-loop-running'],
        [63, 'crash-loop-backoff'],
      ],
      expected: { at: 63, reason: 'CrashLoopBackOff' },
    },
    {
      what: 'a container that cannot be started, then backs off',
      timeline: [...every3s(0, 12, 'run-container-error'), ...every3s(15, 90, 'start-error-backoff')],
      expected: { at: 60, reason: 'CrashLoopBackOff' },
    },
    {
      what: 'a missing ConfigMap',
      timeline: every3s(0, 90, 'create-container-config-error'),
      expected: { at: 60, reason: 'CreateContainerConfigError' },
    },
    {
      what: 'a pod no node takes',
      timeline: every3s(0, 90, 'unschedulable'),
      expected: { at: 60, reason: 'Unschedulable' },
    },
    {
      what: 'an image pull that starts again after the container ran counts from the new start',
      timeline: [
        ...every3s(0, 30, 'image-pull-backoff'),
        [33, 'running-not-ready'],
        ...every3s(36, 120, 'image-pull-backoff'),
      ],
      expected: { at: 96, reason: 'ImagePullBackOff' },
    },
  ])('gives up on $what at $expected.at s', ({ timeline, expected }) => {
    expect(givenUpAt(timeline as [number, string | undefined][])).toEqual(expected);
  });

  it.each([
    {
      what: 'a slow start: running, not ready for 90 s, no restart',
      timeline: [[0, 'container-creating'], ...every3s(3, 90, 'running-not-ready'), [93, 'ready']],
    },
    {
      what: 'one crash at start, then a slow start without further restarts',
      timeline: [
        [0, 'crash-loop-backoff'],
        [3, 'crash-loop-backoff'],
        ...every3s(6, 120, 'crash-loop-running'),
        [123, 'ready'],
      ],
    },
    {
      what: 'a pod that went away for a look: its problem starts again from the next',
      timeline: [
        ...every3s(0, 45, 'image-pull-backoff'),
        [48, undefined],
        ...every3s(51, 90, 'image-pull-backoff'),
      ],
    },
    {
      what: 'an image pull that fails for 45 s, then succeeds',
      timeline: [...every3s(0, 45, 'image-pull-backoff'), ...every3s(48, 120, 'running-not-ready')],
    },
  ])('never gives up on $what', ({ timeline }) => {
    expect(givenUpAt(timeline as [number, string | undefined][])).toEqual({});
  });

  it('reports how long the problem lasted', () => {
    const first = nextVerdict(new Map(), podFindings(fixture('image-pull-backoff')), 1_000, GRACE);
    const later = nextVerdict(first.sightings, podFindings(fixture('image-pull-backoff')), 64_000, GRACE);
    expect(later.stuck).toMatchObject({ reason: 'ImagePullBackOff', forMs: 63_000 });
  });
});

describe('rolloutPods', () => {
  const rs = (name: string, revision: number, deployment = 'incidents-service'): RawReplicaSet => ({
    metadata: {
      name,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ kind: 'Deployment', name: deployment, controller: true }],
    },
  });
  const pod = (name: string, uid: string, replicaSet?: string, deleting = false): RawPod => ({
    metadata: {
      name,
      uid,
      ownerReferences: replicaSet ? [{ kind: 'ReplicaSet', name: replicaSet, controller: true }] : [],
      ...(deleting ? { deletionTimestamp: '2026-11-25T10:00:30Z' } : {}),
    },
  });
  const names = (pods: RawPod[]) => pods.map((p) => p.metadata?.name);

  it('keeps the pods of the newest ReplicaSet that were not there before the command', () => {
    const pods = [
      pod('old-a', 'u1', 'incidents-service-5b7f'),
      pod('old-b', 'u2', 'incidents-service-5b7f'),
      pod('new-a', 'u3', 'incidents-service-7d9c'),
      // The old ReplicaSet's pod replaced during the rollout is no sign of the new revision.
      pod('old-replaced', 'u4', 'incidents-service-5b7f'),
      pod('new-terminating', 'u5', 'incidents-service-7d9c', true),
    ];
    const replicaSets = [rs('incidents-service-5b7f', 3), rs('incidents-service-7d9c', 4)];
    expect(names(rolloutPods(pods, replicaSets, new Set(['u1', 'u2'])))).toEqual(['new-a']);
  });

  it('counts the fresh pods of an old ReplicaSet a rollback made the newest again', () => {
    const pods = [pod('c-a', 'u1', 'incidents-service-7d9c'), pod('b-again', 'u9', 'incidents-service-5b7f')];
    const replicaSets = [rs('incidents-service-5b7f', 5), rs('incidents-service-7d9c', 4)];
    expect(names(rolloutPods(pods, replicaSets, new Set(['u1'])))).toEqual(['b-again']);
  });

  it('keeps new pods of no ReplicaSet, or of one not listed yet', () => {
    const pods = [pod('bare', 'u1'), pod('racing', 'u2', 'incidents-service-9e1a')];
    expect(names(rolloutPods(pods, [rs('incidents-service-5b7f', 3)], new Set()))).toEqual([
      'bare',
      'racing',
    ]);
  });
});
