import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DockerClient } from '../src/docker.js';
import { ActionError } from '../src/errors.js';
import { KindClient } from '../src/kind.js';
import { ToolError } from '../src/process.js';
import { realKind, type RealKind } from '@incidents-pipeline/test-support/real-kind';
import {
  createStandIns,
  type StandIns,
  type StandInState,
} from '@incidents-pipeline/test-support/stand-in-tools';

const IMAGES = ['incidents-service:1.2.3', 'incidents-service:sha-0123456'];

let standIns: StandIns | undefined;
afterEach(() => {
  standIns?.cleanup();
  standIns = undefined;
});

const kindWith = (state: StandInState) => {
  standIns = createStandIns(['kind', 'docker'], { clusters: ['incidents'], images: IMAGES, ...state });
  const env = standIns.env;
  return new KindClient({ env, docker: new DockerClient({ env }) });
};

const calls = () => standIns!.calls().map((c) => [c.tool, ...c.args]);

describe('KindClient.loadImages', () => {
  it('loads with kind load docker-image when that works', async () => {
    const kind = kindWith({ clusters: ['other', 'incidents'] });
    expect(await kind.loadImages('incidents', IMAGES)).toBe('docker-image');
    // What matters is which cluster and which images, not the order of kind's flags.
    const load = calls().filter((c) => c[1] === 'load');
    expect(load).toHaveLength(1);
    expect(load[0]).toEqual(expect.arrayContaining(['docker-image', ...IMAGES, 'incidents']));
    expect(load[0][load[0].indexOf('--name') + 1]).toBe('incidents');
  });

  it('falls back to docker save and kind load image-archive when docker-image fails', async () => {
    const kind = kindWith({ kindDockerImageFails: true });
    expect(await kind.loadImages('incidents', IMAGES)).toBe('image-archive');
    const recorded = calls();
    expect(recorded.slice(0, 2)).toEqual([
      ['kind', 'get', 'clusters'],
      ['kind', 'load', 'docker-image', ...IMAGES, '--name', 'incidents'],
    ]);
    const [save, archive] = recorded.slice(2);
    expect(save.slice(0, 3)).toEqual(['docker', 'save', '-o']);
    expect(save.slice(4)).toEqual(IMAGES);
    // The archive kind loads is the one docker wrote (the stand-in kind fails on a missing file) ...
    expect(archive).toEqual(['kind', 'load', 'image-archive', save[3], '--name', 'incidents']);
    // ... and it is removed afterwards.
    expect(existsSync(save[3])).toBe(false);
  });

  it('fails with the archive error when the fallback fails too', async () => {
    const kind = kindWith({ kindDockerImageFails: true, kindArchiveFails: true });
    const error = await kind.loadImages('incidents', IMAGES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(
      /kind load failed \(exit 1\): failed to load image: no space left/,
    );
  });

  it('names a missing cluster instead of trying to load', async () => {
    const kind = kindWith({ clusters: ['dev'] });
    const error = await kind.loadImages('incidents', IMAGES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toBe(
      "kind cluster 'incidents' does not exist (clusters: dev); create it first",
    );
    expect(calls()).toEqual([['kind', 'get', 'clusters']]);
  });
});

describe('KindClient with the real kind', () => {
  const NODE_IMAGE = `kindest/node:v1.35.0@sha256:${'4'.repeat(64)}`;
  let real: RealKind | undefined;
  afterEach(() => {
    real?.cleanup();
    real = undefined;
  });
  const client = async () => (real = await realKind([NODE_IMAGE])).kind;

  it('reads "no clusters" from kind, which says so on stderr', async () => {
    const kind = await client();
    expect(await kind.clusters()).toEqual([]);
    expect(await kind.hasCluster('incidents')).toBe(false);
  });

  it('names a missing cluster before loading into it', async () => {
    const error = await (await client()).loadImages('incidents', IMAGES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toBe(
      "kind cluster 'incidents' does not exist (clusters: none); create it first",
    );
  });

  it('passes create flags kind accepts: it goes on until it would make the nodes', async () => {
    const kind = await client();
    const error = await kind
      .createCluster('incidents', { image: NODE_IMAGE, wait: '120s' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).result.stderr).toContain('Creating cluster "incidents"');
    expect((error as Error).message).toMatch(
      /^kind create failed \(exit 1\): failed to create cluster: failed to ensure docker network/,
    );
    expect(real!.standIns.calls('docker').find((c) => c.args[0] === 'inspect')?.args).toEqual([
      'inspect',
      '--type=image',
      NODE_IMAGE,
    ]);
  });

  it("fails with kind's reason on a flag value kind refuses", async () => {
    const error = await (
      await client()
    )
      .createCluster('incidents', { wait: 'soon' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(
      /^kind create failed \(exit 1\): .*invalid argument "soon" for "--wait"/,
    );
  });
});
