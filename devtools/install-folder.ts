import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Fills a cache folder atomically: `fill` writes into a private staging folder beside it, which is
 * renamed into place only when `fill` succeeded, so a cut-off or failed build never leaves a folder
 * that looks finished. When another process finished the same folder first, its folder stays and
 * `isComplete` decides whether that is acceptable; otherwise the rename's error is thrown.
 * The one way the tool bootstrap, the cluster's Go builds and its pause binary install things.
 */
export async function installFolder(
  folder: string,
  fill: (staging: string) => Promise<void>,
  isComplete: () => Promise<boolean>,
): Promise<void> {
  await mkdir(path.dirname(folder), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(folder), `.${path.basename(folder)}.partial-`));
  try {
    await fill(staging);
    // mkdtemp makes a private folder; what is installed is for every user of the machine.
    await chmod(staging, 0o755);
    try {
      await rename(staging, folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isComplete())) return;
      throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
