import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Puts an executable in place atomically: written under a unique name beside the target, then
 * renamed over it. An interrupted install never leaves a half-written binary, and processes that
 * install the same file at the same time (parallel test workers) each rename complete bytes.
 */
export async function installExecutable(target: string, contents: Buffer): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  try {
    await writeFile(partial, contents, { mode: 0o755 });
    // The mode given to writeFile is filtered by the umask; an executable must be executable.
    await chmod(partial, 0o755);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}
