import { locateDevTool, type SystemTool } from './pins.js';
import { runToolchain } from '../toolchain.js';
import { ToolInstallError } from './install.js';

type Env = Record<string, string | undefined>;

/** The Debian package that carries each system tool. */
const DEBIAN_PACKAGES: Readonly<Record<SystemTool, string>> = { shellcheck: 'shellcheck' };

/**
 * Installs a system tool from the machine's Debian packages with apt-get, so `npm run tools` alone
 * readies a fresh machine. Only as root: anyone else gets the command to run, never a sudo prompt in
 * the middle of a bootstrap. The package lists are refreshed first, since a fresh machine has none.
 */
export async function installSystemTool(
  tool: SystemTool,
  env: Env = process.env,
  isRoot: boolean = process.getuid?.() === 0,
): Promise<string> {
  const pkg = DEBIAN_PACKAGES[tool];
  if (!isRoot) {
    throw new ToolInstallError(
      `${tool} is not installed: run \`sudo apt-get install ${pkg}\`, then \`npm run tools\`.`,
    );
  }
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', pkg],
  ]) {
    const run = await runToolchain('apt-get', args, { env: aptEnv, extendEnv: false });
    if (run.outcome === 'missing') {
      throw new ToolInstallError(
        `${tool} is not installed and there is no apt-get: install ${pkg} with this machine's package manager.`,
      );
    }
    if (run.outcome === 'failed') {
      throw new ToolInstallError(
        `${tool}: \`apt-get ${args.join(' ')}\` failed (exit ${run.exitCode}):\n${run.tail}`,
      );
    }
  }
  return locateDevTool(tool, { env });
}
