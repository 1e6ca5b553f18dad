import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/**
 * The helm 4 the cluster tests drive. The one place that finds it: `$INCIDENTS_HELM`, else a helm 4
 * on PATH. (To be pointed at the tool bootstrap's locator, `npm run tools`, once that is merged.)
 */
export async function helmForClusterTests(): Promise<string> {
  const candidates = [
    process.env.INCIDENTS_HELM,
    ...(process.env.PATH ?? '').split(':').map((d) => d && path.join(d, 'helm')),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const version = await execa(candidate, ['version', '--template', '{{.Version}}'], { reject: false });
    if (version.exitCode === 0 && /^v4\./.test(version.stdout.trim())) return candidate;
  }
  throw new Error('no helm 4 found: run `npm run tools`, or set INCIDENTS_HELM to a helm 4 binary');
}
