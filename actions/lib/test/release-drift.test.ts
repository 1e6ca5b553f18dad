import { describe, expect, it } from '@jest/globals';
import { imageDrift, runningContainers, recordedImage, type RunningContainer } from '../src/release-drift.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const REPO = 'ghcr.io/example/incidents-service';

const container = (pod: string, image: string, imageID: string): RunningContainer => ({
  pod,
  container: 'incidents-service',
  image,
  imageID,
});

describe('imageDrift', () => {
  const recorded = { repository: REPO, tag: '0.2.0', digest: DIGEST };

  it('finds none when every pod runs the recorded reference and digest', () => {
    const running = [
      container('p1', `${REPO}:0.2.0@${DIGEST}`, `${REPO}@${DIGEST}`),
      container('p2', `${REPO}:0.2.0@${DIGEST}`, `${REPO}@${DIGEST}`),
    ];
    expect(imageDrift(recorded, running)).toEqual({
      drifted: false,
      recorded: `${REPO}:0.2.0@${DIGEST}`,
      details: [],
    });
  });

  it('finds a pod set to another image by hand', () => {
    const running = [
      container('p1', `${REPO}:0.2.0@${DIGEST}`, `${REPO}@${DIGEST}`),
      container('p2', `${REPO}:0.3.0`, `${REPO}@${OTHER}`),
    ];
    expect(imageDrift(recorded, running)).toMatchObject({
      drifted: true,
      details: [`p2/incidents-service runs ${REPO}:0.3.0`, `p2/incidents-service runs digest ${OTHER}`],
    });
  });

  it('without a recorded digest compares the reference, and accepts the runtime spelling of short names', () => {
    const plain = { repository: 'incidents-service', tag: '0.2.0' };
    expect(
      imageDrift(plain, [container('p1', 'docker.io/library/incidents-service:0.2.0', `x@${OTHER}`)]).drifted,
    ).toBe(false);
    expect(imageDrift(plain, [container('p1', 'incidents-service:0.1.0', '')]).drifted).toBe(true);
  });

  it('compares nothing without pods or without a recorded image', () => {
    const nothing = imageDrift(recorded, []);
    expect([nothing.drifted, nothing.details]).toEqual([undefined, ['no running pods to compare']]);
    expect(imageDrift({}, [container('p1', 'x:1', '')]).drifted).toBeUndefined();
  });
});

describe('runningContainers and recordedImage', () => {
  it('reads the containers of running and starting pods, not finished ones', () => {
    const list = {
      items: [
        {
          metadata: { name: 'a' },
          status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'i:1', imageID: 'i@x' }] },
        },
        {
          metadata: { name: 'b' },
          status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', image: 'i:0' }] },
        },
      ],
    };
    expect(runningContainers(list)).toEqual([{ pod: 'a', container: 'c', image: 'i:1', imageID: 'i@x' }]);
  });

  it('reads only the image fields of the values', () => {
    expect(recordedImage({ image: { repository: 'r', tag: '1', digest: '' }, password: 'p' })).toEqual({
      repository: 'r',
      tag: '1',
      digest: undefined,
    });
  });
});
