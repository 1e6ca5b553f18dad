import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { ToolError } from '../../actions/lib/src/process.js';
import { realKind, type RealKind } from '@incidents-pipeline/test-support/real-kind';

/**
 * The cluster config the workflows and the local CLI create the kind cluster from, read by the
 * real kind (it loads and validates it, then stops where it would make the nodes).
 */

jest.setTimeout(30_000);

const CONFIG = fileURLToPath(new URL('../../kind-config.yaml', import.meta.url));

interface KindConfig {
  name: string;
  nodes: Array<{ role: string; image?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

async function kindConfig(): Promise<KindConfig> {
  return parse(await readFile(CONFIG, 'utf8')) as KindConfig;
}

let kind: RealKind | undefined;
afterEach(() => {
  kind?.cleanup();
  kind = undefined;
});

async function startKind(): Promise<RealKind> {
  const images = (await kindConfig()).nodes.map((node) => node.image ?? '');
  kind = await realKind(images);
  return kind;
}

describe('kind-config.yaml', () => {
  it('gives every node the same image, pinned by digest', async () => {
    const images = new Set((await kindConfig()).nodes.map((node) => node.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it('has a control plane and two workers to spread replicas over (docs/high-availability.md)', async () => {
    const roles = (await kindConfig()).nodes.map((node) => node.role);
    expect(roles.filter((role) => role === 'control-plane').length).toBeGreaterThanOrEqual(1);
    expect(roles.filter((role) => role === 'worker').length).toBeGreaterThanOrEqual(2);
  });

  it('is accepted by the real kind, which goes on to make its nodes from the pinned image', async () => {
    const { kind: client, standIns } = await startKind();
    const config = await kindConfig();
    const error = await client.createCluster(config.name, { config: CONFIG }).catch((e: unknown) => e);
    // kind got past loading and validating the file: it failed only at the stand-in's network step.
    expect(error).toBeInstanceOf(ToolError);
    const result = (error as ToolError).result;
    expect(result.stderr).toContain(`Creating cluster "${config.name}"`);
    expect((error as Error).message).toContain('failed to ensure docker network');
    const imageChecks = standIns.calls('docker').filter((c) => c.args[0] === 'inspect');
    expect(imageChecks.map((c) => c.args)).toEqual([['inspect', '--type=image', config.nodes[0].image]]);
  });

  it.each<[string, (config: KindConfig) => void, RegExp]>([
    [
      'no control plane',
      (config) => config.nodes.forEach((node) => (node.role = 'worker')),
      /must have at least one control-plane node/,
    ],
    [
      'a role kind does not know',
      (config) => (config.nodes[1].role = 'master'),
      /"master" is not a valid node role/,
    ],
    [
      'a misspelled field',
      (config) => {
        config.nodes[0].imag = config.nodes[0].image;
      },
      /field imag not found in type v1alpha4\.Node/,
    ],
  ])("is refused by the real kind with %s, with kind's reason", async (_what, breakIt, reason) => {
    const { kind: client, standIns } = await startKind();
    const config = await kindConfig();
    breakIt(config);
    const file = path.join(standIns.binDir, '..', 'kind-config.yaml');
    await writeFile(file, stringify(config));
    const error = await client.createCluster(config.name, { config: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(/^kind create failed \(exit 1\): /);
    expect(`${(error as Error).message}\n${(error as ToolError).result.stderr}`).toMatch(reason);
    // Refused before any node image was looked at.
    expect(standIns.calls('docker').some((c) => c.args[0] === 'inspect')).toBe(false);
  });
});
