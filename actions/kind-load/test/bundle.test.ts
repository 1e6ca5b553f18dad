import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBundle } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

/**
 * The committed bundle, run as the runner runs it, against stand-in `kind` and `docker`: a pulled
 * image goes into the cluster the way build-image's images do (KindClient.loadImages, whose cases are
 * in actions/lib/test/kind.test.ts), including the fallback when `kind load docker-image` fails.
 */
const BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const IMAGE = '127.0.0.1:5000/acme/incidents-service:0.2.0';

jest.setTimeout(30_000);

let tools: StandIns | undefined;
afterEach(() => tools?.cleanup());

async function load(state: StandInState, inputs: Record<string, string> = {}) {
  tools = createStandIns(['kind', 'docker'], { clusters: ['incidents'], images: [IMAGE], ...state });
  const run = await runBundle(BUNDLE, { cluster: 'incidents', images: IMAGE, ...inputs }, tools.env);
  return { run, calls: tools.calls().map((c) => [c.tool, ...c.args]) };
}

describe('kind-load bundle', () => {
  it('loads with kind load docker-image when that works', async () => {
    const { run, calls } = await load({});
    expect(run.errors).toEqual([]);
    expect(run.outputs).toEqual({ method: 'docker-image' });
    // Which cluster and which image, not the order of kind's flags.
    const loads = calls.filter((c) => c[0] === 'kind' && c[1] === 'load');
    expect(loads).toHaveLength(1);
    expect(loads[0]).toEqual(expect.arrayContaining(['docker-image', IMAGE]));
    expect(loads[0][loads[0].indexOf('--name') + 1]).toBe('incidents');
  });

  it('falls back to docker save and kind load image-archive when docker-image fails', async () => {
    const { run, calls } = await load({ kindDockerImageFails: true });
    expect(run.errors).toEqual([]);
    expect(run.outputs).toEqual({ method: 'image-archive' });
    const [save, archive] = calls.slice(2);
    expect(save.slice(0, 3)).toEqual(['docker', 'save', '-o']);
    expect(save.slice(4)).toEqual([IMAGE]);
    expect(archive).toEqual(expect.arrayContaining(['load', 'image-archive', save[3]]));
    expect(archive[archive.indexOf('--name') + 1]).toBe('incidents');
    expect(existsSync(save[3])).toBe(false);
    expect(run.summary).toContain('kind load image-archive');
  });

  it('fails clearly for a cluster that does not exist, before loading anything', async () => {
    const { run, calls } = await load({}, { cluster: 'incidents-act' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "kind cluster 'incidents-act' does not exist (clusters: incidents); create it first",
    ]);
    expect(calls).toEqual([['kind', 'get', 'clusters']]);
  });

  it.each([
    ['cluster', 'Incidents; rm', /^input 'cluster': /],
    ['images', 'incidents-service:0.2.0 $(id)', /^input 'images': /],
  ])('refuses %s %j', async (input, value, message) => {
    const { run, calls } = await load({}, { [input]: value });
    expect(run.errors).toEqual([expect.stringMatching(message)]);
    expect(calls).toEqual([]);
  });
});
