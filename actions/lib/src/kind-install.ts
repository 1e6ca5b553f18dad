import { createHash } from 'node:crypto';
import path from 'node:path';
import { ActionError } from './errors.js';
import { installExecutable } from './install-file.js';
import { log } from './log.js';
import { TOOL_PINS } from './tools.js';

/**
 * Installs kind for the local CLI when it is missing, the way the original scripts did: the release
 * binary for this OS and architecture from kind's GitHub releases, checked against the `.sha256sum`
 * file kind publishes next to each release asset (`<asset>.sha256sum` under the same release, e.g.
 * `v0.31.0/kind-linux-amd64.sha256sum`) before it is made executable. Nothing here pins a digest: the
 * checksum is read from that file at install time. A download that does not match is deleted.
 */

/**
 * The kind release the workflows install: the `version` they pass to helm/kind-action
 * (.github/workflows/ci.yml, deliver.yml, deploy.yml), kept as the tool pin so a laptop, CI and
 * the tests run the same kind.
 */
export const KIND_VERSION = TOOL_PINS.kind.version;

export const KIND_RELEASES = 'https://github.com/kubernetes-sigs/kind/releases/download';

export interface KindInstallOptions {
  version?: string;
  /** Directory the binary goes into. */
  installDir: string;
  /** Release download base (overridable for tests and mirrors); default GitHub's. */
  baseUrl?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  timeoutMs?: number;
}

/** The release asset name kind publishes for a platform, e.g. `kind-linux-amd64`. */
export function kindAssetName(platform: NodeJS.Platform, arch: string): string {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[platform as string];
  const cpu = { x64: 'amd64', arm64: 'arm64' }[arch];
  if (!os || !cpu || (os === 'windows' && cpu !== 'amd64')) {
    throw new ActionError(
      `kind publishes no binary for ${platform}/${arch}; install it by hand (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)`,
    );
  }
  return `kind-${os}-${cpu}`;
}

/** The hex digest from a `sha256sum`-style line (`<hex>  <file>`), checked to be for `asset`. */
export function parseChecksumFile(text: string, asset: string): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  const match = /^([0-9a-f]{64})(?:\s+\*?(\S+))?$/i.exec(line ?? '');
  if (!match)
    throw new ActionError(`kind checksum file is not a sha256sum line: '${(line ?? '').slice(0, 100)}'`);
  if (match[2] && path.basename(match[2]) !== asset) {
    throw new ActionError(`kind checksum file is for ${match[2]}, not ${asset}`);
  }
  return match[1].toLowerCase();
}

async function download(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new ActionError(
      `cannot download ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!response.ok) throw new ActionError(`cannot download ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Downloads, verifies and installs kind; returns the path of the executable. */
export async function installKind(options: KindInstallOptions): Promise<string> {
  const version = options.version ?? KIND_VERSION;
  const asset = kindAssetName(options.platform ?? process.platform, options.arch ?? process.arch);
  const base = (options.baseUrl ?? KIND_RELEASES).replace(/\/+$/, '');
  const url = `${base}/${version}/${asset}`;
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;

  log().info(`Downloading kind ${version} (${asset}) from ${url}`);
  const expected = parseChecksumFile((await download(`${url}.sha256sum`, timeoutMs)).toString('utf8'), asset);
  const binary = await download(url, timeoutMs);
  const actual = createHash('sha256').update(binary).digest('hex');
  if (actual !== expected) {
    throw new ActionError(
      `kind ${version} download does not match its published checksum (expected ${expected}, got ${actual}); nothing was installed`,
    );
  }

  const target = path.join(options.installDir, asset.startsWith('kind-windows') ? 'kind.exe' : 'kind');
  await installExecutable(target, binary);
  log().info(`Installed kind ${version} at ${target} (sha256 ${actual.slice(0, 12)}… verified)`);
  return target;
}
