import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { tempDir } from '@incidents-pipeline/test-support/action-env';

/**
 * The runner executes the committed `dist/index.js`, not the sources: a bundle that was not rebuilt
 * after a change ships old code. Every action (a folder with `action.yml`) and the local CLI are
 * rebuilt here with the ncc command of their own `build` script, and the output must match the
 * committed files byte for byte.
 */
const actionsDir = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = path.dirname(actionsDir.replace(/\/$/, ''));
const nccCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@vercel/ncc/package.json')),
  'dist/ncc/cli.js',
);

const bundled = readdirSync(actionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) =>
    name === 'cli'
      ? existsSync(path.join(actionsDir, name, 'src/index.ts'))
      : existsSync(path.join(actionsDir, name, 'action.yml')),
  )
  .sort();

interface Build {
  dir: string;
  error?: string;
}

const BUILD_TIMEOUT_MS = 10 * 60_000;
const builds = new Map<string, Promise<Build>>();
const cleanups: (() => void)[] = [];

/**
 * The arguments of the package's own `build` script (`ncc build … -o dist …`), writing to `outDir`,
 * so this check cannot drift from what `npm run build` does.
 */
function buildArguments(name: string, outDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(actionsDir, name, 'package.json'), 'utf8')) as {
    scripts?: { build?: string };
  };
  const words = manifest.scripts?.build?.split(/\s+/) ?? [];
  if (words[0] !== 'ncc' || words[words.indexOf('-o') + 1] !== 'dist') {
    throw new Error(
      `actions/${name}: the build script must be \`ncc build … -o dist …\`, got ${manifest.scripts?.build}`,
    );
  }
  return words.slice(1).map((word, i, all) => (all[i - 1] === '-o' ? outDir : word));
}

function build(name: string): Promise<Build> {
  const { dir, cleanup } = tempDir(`dist-fresh-${name}-`);
  cleanups.push(cleanup);
  return execa(process.execPath, [nccCli, ...buildArguments(name, dir)], {
    cwd: path.join(actionsDir, name),
    reject: false,
    timeout: BUILD_TIMEOUT_MS,
  }).then((result) =>
    result.exitCode === 0
      ? { dir }
      : { dir, error: `${result.stderr}\n${result.stdout}`.trim().slice(-2000) },
  );
}

describe('committed bundles are fresh', () => {
  beforeAll(() => {
    // All builds run at once; each test below waits for its own.
    for (const name of bundled) builds.set(name, build(name));
  });

  afterAll(async () => {
    await Promise.allSettled(builds.values());
    for (const cleanup of cleanups) cleanup();
  });

  it('finds the actions to check', () => {
    expect(bundled).toContain('semver-tag');
  });

  it.each(bundled)(
    'actions/%s/dist equals a fresh build',
    async (name) => {
      const fix = `run \`npm run build -w actions/${name}\` and commit actions/${name}/dist/`;
      const { dir, error } = await builds.get(name)!;
      if (error) throw new Error(`actions/${name}: ncc build failed:\n${error}`);
      const committedDir = path.join(actionsDir, name, 'dist');
      const fresh = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
      expect(fresh).toEqual(expect.arrayContaining(['index.js', 'package.json']));
      const stale = fresh.filter((file) => {
        const committed = path.join(committedDir, file);
        return !existsSync(committed) || !readFileSync(committed).equals(readFileSync(path.join(dir, file)));
      });
      if (stale.length > 0) {
        const where = stale.map((f) => path.relative(repoRoot, path.join(committedDir, f))).join(', ');
        throw new Error(`stale or missing bundle files: ${where}; ${fix}`);
      }
    },
    BUILD_TIMEOUT_MS + 30_000,
  );
});
