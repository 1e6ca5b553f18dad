import type { StandInState } from '@incidents-pipeline/test-support/stand-in-tools';

/** A simulated cluster with `incidents-service` at revision 3 (0.1.0), two ready replicas. */
export function clusterWithRelease(helmVersion: string, extra: Partial<StandInState> = {}): StandInState {
  return {
    helmVersion,
    releases: {
      'incidents-service': {
        namespace: 'incidents',
        history: [1, 2, 3].map((revision) => ({
          revision,
          updated: `2026-11-2${revision}T09:00:00Z`,
          chart: 'incidents-service-0.1.0',
          app_version: '0.1.0',
          status: revision === 3 ? 'deployed' : 'superseded',
          description: revision === 1 ? 'Install complete' : 'Upgrade complete',
          config: { image: { repository: 'incidents-service', tag: '0.1.0' } },
        })),
      },
    },
    deployments: [
      { metadata: { name: 'incidents-service' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } },
    ],
    services: [
      {
        metadata: { name: 'incidents-service' },
        spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ],
    events: [
      {
        type: 'Normal',
        reason: 'Scheduled',
        message: 'Successfully assigned incidents/incidents-service-7d9c-x2 to incidents-worker',
        involvedObject: { kind: 'Pod', name: 'incidents-service-7d9c-x2' },
        lastTimestamp: '2026-11-25T09:59:00Z',
      },
    ],
    pods: [readyPod('incidents-service-5b7f-a1')],
    ...extra,
  };
}

export function readyPod(name: string) {
  return {
    metadata: { name },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
}

/** What a bad image version looks like: a crashing pod and the kubelet's back-off warnings. */
export const crashingRollout: Partial<StandInState> = {
  upgradeFails:
    'resource Deployment/incidents/incidents-service not ready. status: InProgress, message: Available: 1/2',
  pods: [
    readyPod('incidents-service-5b7f-a1'),
    {
      metadata: { name: 'incidents-service-7d9c-x2' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'Error', exitCode: 1 } },
          },
        ],
      },
    },
  ],
  events: [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container service in pod incidents-service-7d9c-x2',
      involvedObject: { kind: 'Pod', name: 'incidents-service-7d9c-x2' },
      lastTimestamp: '2026-11-25T10:01:00Z',
      count: 6,
    },
  ],
};

/** A pod of the new revision that waits for an image that does not exist, as the kubelet reports it. */
export function imagePullBackOffPod(name: string) {
  return {
    metadata: { name, uid: `${name}-uid` },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
      containerStatuses: [
        {
          name: 'incidents-service',
          image: 'incidents-service:9.9.9',
          ready: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ImagePullBackOff',
              message: 'Back-off pulling image "incidents-service:9.9.9"',
            },
          },
        },
      ],
    },
  };
}

/** A pod of the new revision that runs but is not ready yet: a slow start. */
export function startingPod(name: string) {
  return {
    metadata: { name, uid: `${name}-uid` },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
      containerStatuses: [
        { name: 'incidents-service', ready: false, restartCount: 0, state: { running: {} } },
      ],
    },
  };
}

/**
 * An upgrade whose new pod can never start: Helm waits until it is stopped. A stand-in on purpose:
 * a real Helm needs a cluster for that, which this layer has not; cluster scenario 6 proves the same
 * on the real Helm 4.3.2 and a real pod, and the stand-in's SIGTERM answer follows what Helm 4 does
 * there (the revision fails, and --rollback-on-failure rolls back).
 */
export const stuckRollout: Partial<StandInState> = {
  upgradeStalls: true,
  stalledPods: [imagePullBackOffPod('incidents-service-7d9c-x2')],
};
