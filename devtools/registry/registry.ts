import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { locateDevTool } from '../tools/pins.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';

/**
 * The real container registry (CNCF distribution at the pin in `../tools.ts`) on 127.0.0.1, playing
 * GHCR's part in tests: images are pushed to it and pulled from it with the real docker, and what it
 * stored is read back through its HTTP API. No TLS and no login: Docker treats 127.0.0.0/8 as an
 * insecure registry by default, so `docker push 127.0.0.1:PORT/...` speaks plain HTTP to it.
 */

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** How long the registry took from spawn to its first 200 on `/v2/`. */
  startMs: number;
  /** `Docker-Content-Digest` of a tag's manifest, as a pull resolves it; undefined when there is none. */
  manifestDigest(repository: string, tag: string): Promise<string | undefined>;
  /** The repository's tags, sorted; empty when the repository does not exist. */
  tags(repository: string): Promise<string[]>;
  /** Kills the registry and removes its storage and config. */
  stop(): Promise<void>;
}

export interface TestRegistryOptions {
  /** The port on 127.0.0.1; default a free one. */
  port?: number;
  startTimeoutMs?: number;
}

/**
 * What a pull asks for: a manifest in any of the formats docker pushes (OCI or Docker schema 2,
 * single or a list), so the registry answers with the stored one and its digest rather than a 404.
 */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A port nothing listens on right now; the registry binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const binary = await locateDevTool('registry');
  // Another process may take the free port between the probe and the bind: then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(binary, options.port ?? (await freePort()), options.startTimeoutMs ?? 30_000);
    } catch (error) {
      if (options.port !== undefined || attempt === 3 || !/address already in use/.test(String(error)))
        throw error;
    }
  }
}

async function startOn(binary: string, port: number, timeoutMs: number): Promise<TestRegistry> {
  const work = tempDir('test-registry-');
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const config = path.join(work.dir, 'config.yml');
  writeFileSync(
    config,
    stringify({
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: path.join(work.dir, 'storage') },
        delete: { enabled: true },
      },
      // A secret of its own, so the registry does not warn about generating one at every start.
      http: { addr: host, secret: randomBytes(16).toString('hex') },
    }),
  );

  const started = Date.now();
  const child: ResultPromise = execa(binary, ['serve', config], { reject: false, all: true });
  let exited = false;
  void child.then(() => (exited = true));
  const stop = async () => {
    child.kill();
    await child;
    work.cleanup();
  };

  try {
    for (;;) {
      if (exited) {
        const result = await child;
        throw new Error(
          `registry serve exited (${result.exitCode}) before it answered: ${String(result.all)}`,
        );
      }
      const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() - started > timeoutMs)
        throw new Error(`registry on ${host} did not answer /v2/ within ${timeoutMs} ms`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host,
    url,
    startMs: Date.now() - started,
    async manifestDigest(repository, tag) {
      const response = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { Accept: MANIFEST_ACCEPT },
      });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`HEAD ${repository}:${tag}: ${response.status}`);
      return response.headers.get('docker-content-digest') ?? undefined;
    },
    async tags(repository) {
      const response = await fetch(`${url}/v2/${repository}/tags/list`);
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`tags of ${repository}: ${response.status}`);
      const body = (await response.json()) as { tags?: string[] | null };
      return [...(body.tags ?? [])].sort();
    },
    stop,
  };
}
