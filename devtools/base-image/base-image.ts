import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runTool, type RunOptions } from '@incidents-pipeline/actions-lib/process';
import { ALL_PINS, locateDevTool } from '../tools/pins.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';

/**
 * A stand-in for the upstream Node 24 base image, for machines that reach no container registry:
 * a Debian bookworm root file system from `debootstrap --variant=minbase` (Debian's packages are
 * reachable) plus the real Node 24 binary of the tool bootstrap (npm package `node-linux-<arch>`), imported with
 * `docker import`. Built once and kept in the daemon under a fixed tag, so later runs take a second.
 */

export const TEST_BASE_REPOSITORY = 'incidents-test-base';
/** The image's tag names the major; the binary is ALL_PINS.node. */
const NODE_MAJOR = Number(ALL_PINS.node.version.replace(/^v/, '').split('.')[0]);
const SUITE = 'bookworm';

export interface TestBaseImage {
  /** Reference to pass as the `BASE_IMAGE` build argument. */
  image: string;
  sizeBytes: number;
  /** `node --version` inside the image. */
  nodeVersion: string;
  /** Where the node binary came from: the bootstrap's npm package. */
  nodeSource: string;
  /** False when the image was already in the daemon. */
  built: boolean;
  buildMs: number;
}

/** Tools run quietly: their output matters only when they fail, and then `runTool` quotes it. */
const run = (tool: string, args: string[], options: RunOptions = {}) =>
  runTool(tool, args, { group: false, timeoutMs: 20 * 60_000, ...options });

const PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function ensureTestBaseImage(log: (line: string) => void = () => {}): Promise<TestBaseImage> {
  const image = `${TEST_BASE_REPOSITORY}:${SUITE}-node${NODE_MAJOR}`;
  const started = Date.now();
  let built = false;
  if (!(await imageExists(image))) {
    await buildBaseImage(image, log);
    built = true;
  }
  const inspect = await run('docker', [
    'image',
    'inspect',
    '--format',
    '{{.Size}} {{index .Config.Labels "node-source"}}',
    image,
  ]);
  const [size, ...source] = inspect.stdout.trim().split(' ');
  const version = await run('docker', ['run', '--rm', '--read-only', image, 'node', '--version']);
  return {
    image,
    sizeBytes: Number(size),
    nodeVersion: version.stdout.trim(),
    nodeSource: source.join(' '),
    built,
    buildMs: Date.now() - started,
  };
}

async function imageExists(image: string): Promise<boolean> {
  const result = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    allowFailure: true,
  });
  return result.exitCode === 0;
}

async function buildBaseImage(image: string, log: (line: string) => void): Promise<void> {
  const work = tempDir('incidents-test-base-');
  try {
    const rootfs = path.join(work.dir, 'rootfs');
    log(`debootstrap --variant=minbase ${SUITE}`);
    await run('debootstrap', debootstrapArgs(rootfs));
    slim(rootfs);

    const node = await nodeBinary();
    await mkdir(path.join(rootfs, 'usr/local/bin'), { recursive: true });
    await copyFile(node.file, path.join(rootfs, 'usr/local/bin/node'));
    await chmod(path.join(rootfs, 'usr/local/bin/node'), 0o755);

    const archive = path.join(work.dir, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '--numeric-owner', '-cf', archive, '.']);
    log(`docker import ${image}`);
    await run('docker', [
      'import',
      '--change',
      `ENV PATH=${PATH_ENV}`,
      '--change',
      'CMD ["node"]',
      '--change',
      `LABEL node-source="${node.source}"`,
      archive,
      image,
    ]);
  } finally {
    work.cleanup();
  }
}

/**
 * The debootstrap command line: no mirror argument, so debootstrap uses its own default mirror (and
 * a machine that needs another sets it where debootstrap and apt read it, not in this repository).
 */
export function debootstrapArgs(rootfs: string): string[] {
  return ['--variant=minbase', SUITE, rootfs];
}

/** Drops what a runtime never reads, to keep the base near the size of an upstream slim image. */
function slim(rootfs: string): void {
  for (const dir of [
    'var/lib/apt/lists',
    'var/cache/apt',
    'var/cache/debconf',
    'var/log',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
  ]) {
    const full = path.join(rootfs, dir);
    if (!existsSync(full)) continue;
    for (const entry of readdirSync(full)) rmSync(path.join(full, entry), { recursive: true, force: true });
  }
}

/**
 * The Node 24 binary of the tool bootstrap (`npm run tools` unpacks the npm package
 * `node-linux-<arch>` at the pinned version): the same node local act runs use. No fallback to the
 * host's node, which may be another major: a missing one fails with the locator's `npm run tools` hint.
 */
async function nodeBinary(): Promise<{ file: string; source: string }> {
  return {
    file: await locateDevTool('node'),
    source: `npm node-linux-${process.arch} ${ALL_PINS.node.version}`,
  };
}
