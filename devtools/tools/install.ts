import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import {
  cachedToolPath,
  isExecutable,
  probeVersion,
  samePinnedVersion,
} from '@incidents-pipeline/actions-lib/tools';
import { ALL_PINS, type PinnedTool } from './pins.js';
import { installFolder } from '../install-folder.js';
import { runToolchain } from '../toolchain.js';
import { describeRecipe, RECIPES, type GoRecipe, type NpmRecipe, type PypiRecipe } from './recipes.js';

/**
 * Builds one pinned tool into its cache folder. Everything is built in a private folder beside the
 * target and renamed into place only once the binary runs and reports the pinned version, so an
 * interrupted or failed build never leaves a half-written tool that the locator would trust.
 * Go builds share the machine's module and build caches, so a rebuild after a cache wipe is cheap.
 */

type Env = Record<string, string | undefined>;

export class ToolInstallError extends ActionError {
  override readonly name = 'ToolInstallError';
}

export async function installTool(tool: PinnedTool, env: Env = process.env): Promise<string> {
  const target = cachedToolPath(tool, ALL_PINS[tool], env);
  const recipe = RECIPES[tool];
  await installFolder(
    path.dirname(target),
    async (staging) => {
      if (recipe.from === 'go') await goInstall(tool, recipe, staging, env);
      else if (recipe.from === 'npm') await npmUnpack(tool, recipe, staging, env);
      else await pipInstall(tool, recipe, staging, env);

      const pinned = ALL_PINS[tool].version;
      const reported = await probeVersion(path.join(staging, tool), ALL_PINS[tool].versionArgs);
      if (!samePinnedVersion(reported, pinned)) {
        throw new ToolInstallError(
          `${tool} ${pinned}: ${describeRecipe(recipe)} built a binary that reports ${reported ?? 'no version'}; nothing was installed`,
        );
      }
    },
    // Another `npm run tools` finished the same pin first: its complete folder stays.
    () => isExecutable(target),
  );
  return target;
}

async function goInstall(tool: PinnedTool, recipe: GoRecipe, staging: string, env: Env): Promise<void> {
  const ldflags = ['-s', '-w', ...Object.entries(recipe.versionVariables).map(([k, v]) => `-X ${k}=${v}`)];
  await runInstaller(
    tool,
    recipe.from,
    'go',
    ['install', '-trimpath', `-ldflags=${ldflags.join(' ')}`, `${recipe.package}@${recipe.moduleVersion}`],
    {
      ...env,
      GOBIN: staging,
      // Static binaries, as the projects release them; they run on any Linux without a C library match.
      CGO_ENABLED: '0',
    },
  );
}

async function pipInstall(tool: PinnedTool, recipe: PypiRecipe, staging: string, env: Env): Promise<void> {
  const unpacked = path.join(staging, 'wheel');
  await runInstaller(
    tool,
    recipe.from,
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      '--root-user-action=ignore',
      '--target',
      unpacked,
      `${recipe.project}==${recipe.version}`,
    ],
    env,
  );
  // The wheel's script is the whole tool; the rest of the unpacked wheel is metadata.
  await rename(path.join(unpacked, 'bin', tool), path.join(staging, tool));
  await rm(unpacked, { recursive: true, force: true });
}

/** The package's tarball from the npm registry, and the one binary in it; the rest is dropped. */
async function npmUnpack(tool: PinnedTool, recipe: NpmRecipe, staging: string, env: Env): Promise<void> {
  await runInstaller(
    tool,
    recipe.from,
    'npm',
    ['pack', `${recipe.package}@${recipe.version}`, '--silent', '--pack-destination', staging],
    env,
  );
  const tarball = path.join(staging, `${recipe.package}-${recipe.version}.tgz`);
  await runInstaller(tool, recipe.from, 'tar', ['-xzf', tarball, '-C', staging, recipe.file], env);
  await rename(path.join(staging, recipe.file), path.join(staging, tool));
  await rm(tarball, { force: true });
  await rm(path.join(staging, recipe.file.split('/')[0]), { recursive: true, force: true });
}

const TOOLCHAINS: Record<'go' | 'pypi' | 'npm', string> = {
  go: 'the Go toolchain (1.26 or newer; it builds helm, actionlint, act, kind and the registry)',
  pypi: 'Python 3 with pip (it unpacks the zizmor wheel)',
  npm: 'npm and tar (npm fetches the Node.js binary package)',
};

async function runInstaller(
  tool: PinnedTool,
  from: 'go' | 'pypi' | 'npm',
  command: string,
  args: string[],
  env: Env,
): Promise<void> {
  const what = `${tool} ${ALL_PINS[tool].version}`;
  const run = await runToolchain(command, args, { env, extendEnv: false });
  if (run.outcome === 'missing') {
    throw new ToolInstallError(
      `${what}: ${command} is not on PATH. Install ${TOOLCHAINS[from]}, then run \`npm run tools\` again.`,
    );
  }
  if (run.outcome === 'failed') {
    throw new ToolInstallError(
      `${what}: \`${command} ${args.join(' ')}\` failed (exit ${run.exitCode}):\n${run.tail}\n` +
        `It needs ${TOOLCHAINS[from]} and its registry; fix the cause above, then run \`npm run tools\` again.`,
    );
  }
}
