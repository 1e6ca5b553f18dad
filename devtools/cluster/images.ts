import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ClusterBinaries } from './components.js';
import { COREDNS_IMAGE } from './dns.js';
import { toolsCache } from './layout.js';
import { installFolder } from '../install-folder.js';
import { progress } from './progress.js';
import { KUBERNETES, PAUSE_VERSION } from './versions.js';

/**
 * Images of the cluster. No registry is reachable, so both images the cluster itself needs are built
 * here as scratch images around one static binary: the pause container from the `pause.c` of the
 * Kubernetes module (gcc, `-static`, as upstream's build/pause Makefile does) and CoreDNS. Images go
 * into containerd's `k8s.io` namespace the way `kind load docker-image` does it: `docker save`
 * streamed into `ctr images import`.
 */

export const PAUSE_IMAGE = `localhost/incidents/pause:${PAUSE_VERSION}`;

async function docker(args: string[], allowFailure = false) {
  const result = await execa('docker', args, { reject: false, all: true });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new Error('docker is not installed: apt-get install docker.io, and start dockerd');
  }
  if (result.exitCode !== 0 && !allowFailure) {
    throw new Error(
      `docker ${args[0]} failed: ${String(result.all).trim().split('\n').slice(-5).join('\n')}`,
    );
  }
  return result;
}

export async function dockerImageExists(image: string): Promise<boolean> {
  return (await docker(['image', 'inspect', '--format', '{{.Id}}', image], true)).exitCode === 0;
}

/** The static pause binary, compiled once per version into the tool cache. */
export async function ensurePauseBinary(): Promise<string> {
  const dir = path.join(toolsCache(), `pause-${PAUSE_VERSION}`);
  const binary = path.join(dir, 'pause');
  if (existsSync(binary)) return binary;
  const { stdout } = await execa(
    'go',
    ['mod', 'download', '-json', `${KUBERNETES.module}@${KUBERNETES.version}`],
    {
      cwd: '/',
      env: { GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    },
  );
  const source = path.join((JSON.parse(stdout) as { Dir: string }).Dir, 'build/pause/linux/pause.c');
  await installFolder(
    dir,
    async (staging) => {
      progress(`compiling pause ${PAUSE_VERSION} from ${source}`);
      const gcc = await execa(
        'gcc',
        [
          '-Os',
          '-Wall',
          '-Werror',
          '-static',
          `-DVERSION=v${PAUSE_VERSION}`,
          '-o',
          path.join(staging, 'pause'),
          source,
        ],
        { reject: false, all: true },
      );
      if ((gcc as { code?: string }).code === 'ENOENT')
        throw new Error('gcc is not installed: apt-get install gcc libc6-dev');
      if (gcc.exitCode !== 0)
        throw new Error(`gcc failed on pause.c (apt-get install gcc libc6-dev): ${String(gcc.all)}`);
    },
    async () => existsSync(binary),
  );
  return binary;
}

/** A scratch image holding one static binary, built with `docker build` unless it exists. */
async function ensureScratchImage(image: string, binary: string, user: string, args: string[] = []) {
  if (await dockerImageExists(image)) return;
  progress(`building image ${image}`);
  const context = await mkdtemp(path.join(tmpdir(), 'incidents-image-'));
  try {
    const name = path.basename(binary);
    await copyFile(binary, path.join(context, name));
    await writeFile(
      path.join(context, 'Dockerfile'),
      [
        'FROM scratch',
        `COPY ${name} /${name}`,
        `USER ${user}`,
        `ENTRYPOINT ${JSON.stringify([`/${name}`, ...args])}`,
        '',
      ].join('\n'),
    );
    await docker(['build', '--quiet', '--tag', image, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export async function ensureClusterImages(bin: ClusterBinaries): Promise<string[]> {
  await ensureScratchImage(PAUSE_IMAGE, await ensurePauseBinary(), '65535:65535');
  await ensureScratchImage(COREDNS_IMAGE, bin.coredns.path('coredns'), '65532:65532');
  return [PAUSE_IMAGE, COREDNS_IMAGE];
}

/** containerd's command line client, talking to this cluster's containerd in the CRI namespace. */
export function ctrArgs(socket: string, args: string[]): string[] {
  return ['--address', socket, '--namespace', 'k8s.io', ...args];
}

export async function containerdImages(bin: ClusterBinaries, socket: string): Promise<string[]> {
  const { stdout } = await execa(bin.containerd.path('ctr'), ctrArgs(socket, ['images', 'list', '--quiet']));
  return stdout.split('\n').filter((l) => l !== '');
}

/**
 * `kind load docker-image`: each Docker image saved to an archive in the cluster's state folder and
 * imported from there (a file rather than a pipe: an image is hundreds of megabytes, and a file needs
 * no buffering in this process).
 */
export async function loadImages(
  bin: ClusterBinaries,
  socket: string,
  images: readonly string[],
  scratchDir: string,
): Promise<void> {
  for (const image of images) {
    if (!(await dockerImageExists(image))) {
      throw new Error(
        `image ${image} is not in Docker; build it first (docker image ls shows what there is)`,
      );
    }
    progress(`loading ${image} into the cluster`);
    await mkdir(scratchDir, { recursive: true });
    const archive = await mkdtemp(path.join(scratchDir, 'image-'));
    try {
      const tar = path.join(archive, 'image.tar');
      await docker(['save', '--output', tar, image]);
      const result = await execa(
        bin.containerd.path('ctr'),
        ctrArgs(socket, [
          'images',
          'import',
          '--all-platforms',
          '--digests',
          '--snapshotter',
          'overlayfs',
          tar,
        ]),
        { reject: false, all: true },
      );
      if (result.exitCode !== 0) {
        throw new Error(`ctr images import of ${image} failed: ${String(result.all).trim()}`);
      }
    } finally {
      await rm(archive, { recursive: true, force: true });
    }
  }
}
