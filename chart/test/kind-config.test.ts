import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

/** The cluster config the workflows and the local CLI create the kind cluster from. */

const NODE_IMAGE =
  'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f';

interface KindConfig {
  kind: string;
  apiVersion: string;
  name: string;
  nodes: Array<{ role: string; image?: string }>;
}

async function kindConfig(): Promise<KindConfig> {
  return parse(await readFile(new URL('../../kind-config.yaml', import.meta.url), 'utf8')) as KindConfig;
}

describe('kind-config.yaml', () => {
  it('is a kind v1alpha4 cluster named incidents', async () => {
    const config = await kindConfig();
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(config.name).toBe('incidents');
  });

  it('has one control-plane and two workers', async () => {
    const roles = (await kindConfig()).nodes.map((node) => node.role);
    expect(roles).toEqual(['control-plane', 'worker', 'worker']);
  });

  it('pins every node to the same node image by digest', async () => {
    for (const node of (await kindConfig()).nodes) expect(node.image).toBe(NODE_IMAGE);
  });
});
