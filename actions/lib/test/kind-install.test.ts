import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { installKind, kindAssetName, parseChecksumFile } from '../src/kind-install.js';
import { tempDir } from '@incidents-pipeline/test-support/action-env';

/** A release mirror on 127.0.0.1 serving one good asset, one with a wrong checksum, and no others. */
const GOOD = Buffer.from('#!/bin/sh\necho kind v0.31.0\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const files: Record<string, Buffer> = {
  '/v0.31.0/kind-linux-amd64': GOOD,
  '/v0.31.0/kind-linux-amd64.sha256sum': Buffer.from(`${sha(GOOD)}  kind-linux-amd64\n`),
  '/v0.31.0/kind-linux-arm64': Buffer.from('tampered'),
  '/v0.31.0/kind-linux-arm64.sha256sum': Buffer.from(`${sha(GOOD)}  kind-linux-arm64\n`),
  '/v0.31.0/kind-darwin-arm64.sha256sum': Buffer.from(`${sha(GOOD)}  kind-darwin-amd64\n`),
};
let server: Server;
let base: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404);
    res.end(body ?? 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('kind-install', () => {
  it('names the release asset for each platform', () => {
    expect(kindAssetName('linux', 'x64')).toBe('kind-linux-amd64');
    expect(kindAssetName('linux', 'arm64')).toBe('kind-linux-arm64');
    expect(kindAssetName('darwin', 'arm64')).toBe('kind-darwin-arm64');
    expect(kindAssetName('win32', 'x64')).toBe('kind-windows-amd64');
    expect(() => kindAssetName('linux', 'ia32')).toThrow(/no binary for linux\/ia32/);
    expect(() => kindAssetName('freebsd', 'x64')).toThrow(/install it by hand/);
  });

  it('reads sha256sum lines', () => {
    const hex = 'a'.repeat(64);
    expect(parseChecksumFile(`${hex}  kind-linux-amd64\n`, 'kind-linux-amd64')).toBe(hex);
    expect(parseChecksumFile(`${hex.toUpperCase()}\n`, 'kind-linux-amd64')).toBe(hex);
    expect(() => parseChecksumFile('<html>rate limited</html>', 'kind-linux-amd64')).toThrow(
      /not a sha256sum line/,
    );
  });

  it('installs a download that matches its checksum, executable', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const kind = await installKind({ installDir: dir, baseUrl: base, platform: 'linux', arch: 'x64' });
      expect(kind).toBe(path.join(dir, 'kind'));
      expect(readFileSync(kind)).toEqual(GOOD);
      expect(statSync(kind).mode & 0o777).toBe(0o755);
      expect(requested).toEqual(
        expect.arrayContaining(['/v0.31.0/kind-linux-amd64.sha256sum', '/v0.31.0/kind-linux-amd64']),
      );
    } finally {
      cleanup();
    }
  });

  it('refuses a download that does not match and leaves nothing behind', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await expect(
        installKind({ installDir: dir, baseUrl: base, platform: 'linux', arch: 'arm64' }),
      ).rejects.toThrow(
        /does not match its published checksum \(expected [0-9a-f]{64}, got [0-9a-f]{64}\); nothing was installed/,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('refuses a checksum file for another asset, and a missing release', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await expect(
        installKind({ installDir: dir, baseUrl: base, platform: 'darwin', arch: 'arm64' }),
      ).rejects.toThrow(/checksum file is for kind-darwin-amd64, not kind-darwin-arm64/);
      await expect(
        installKind({ installDir: dir, baseUrl: base, platform: 'linux', arch: 'x64', version: 'v9.9.9' }),
      ).rejects.toThrow(/cannot download .*v9\.9\.9\/kind-linux-amd64\.sha256sum: HTTP 404/);
      expect(existsSync(path.join(dir, 'kind'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
