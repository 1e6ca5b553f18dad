import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/**
 * Writes a file only when its content changes. A second `up` must not touch the configuration of
 * running components: kube-proxy, for one, exits when its configuration file is written to.
 */
export async function writeIfChanged(file: string, content: string, mode?: number): Promise<void> {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  await writeFile(file, content, mode === undefined ? undefined : { mode });
}
