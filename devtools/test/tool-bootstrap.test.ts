import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { installTool, ToolInstallError } from '../tools/install.js';
import { installSystemTool } from '../tools/install-system.js';
import { cachedToolPath } from '@incidents-pipeline/actions-lib/tools';
import { ALL_PINS, PINNED_TOOLS, locateDevTool } from '../tools/pins.js';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/** `npm run tools`: what it prints, how it installs, and how it fails. */

const MAIN = path.join(ROOT, 'devtools/tools/main.ts');

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function scratchCache(): string {
  const { dir, cleanup } = tempDir('tools-cache-');
  cleanups.push(cleanup);
  return dir;
}

describe('npm run tools', () => {
  it('prints one line per tool, name version path, each path the one the locator gives', async () => {
    const result = await execa(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), MAIN], {
      cwd: ROOT,
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    const lines = String(result.stdout).trim().split('\n');
    const expected = await Promise.all(
      PINNED_TOOLS.map(async (tool) => `${tool} ${ALL_PINS[tool].version} ${await locateDevTool(tool)}`),
    );
    expect(lines.slice(0, PINNED_TOOLS.length)).toEqual(expected);
    expect(lines.slice(PINNED_TOOLS.length)).toEqual([
      expect.stringMatching(
        new RegExp(`^shellcheck \\d+\\.\\d+\\.\\d+ ${await locateDevTool('shellcheck')}$`),
      ),
    ]);
  }, 60_000);
});

describe('installTool', () => {
  it('builds kind with go install into its own cache folder, complete or not at all', async () => {
    // The machine's Go module and build caches are shared, so after `npm run tools` this only links.
    const env = { ...process.env, INCIDENTS_TOOLS_CACHE: scratchCache() };
    const installed = await installTool('kind', env);
    expect(installed).toBe(cachedToolPath('kind', ALL_PINS['kind'], env));
    expect((await execa(installed, ['version'])).stdout).toMatch(
      new RegExp(`^kind ${ALL_PINS.kind.version} `),
    );
    // Nothing but the finished folder is left in the cache.
    expect(readdirSync(env.INCIDENTS_TOOLS_CACHE)).toEqual([`kind-${ALL_PINS.kind.version}`]);
    expect(readdirSync(path.dirname(installed))).toEqual(['kind']);
  }, 300_000);

  it.each([
    [
      'helm',
      'go',
      /the Go toolchain \(1\.26 or newer; it builds helm, actionlint, act, kind and the registry\)/,
    ],
    ['zizmor', 'python3', /Python 3 with pip/],
    ['node', 'npm', /npm and tar/],
  ] as const)(
    'names %s and what to install when %s is missing, leaving nothing behind',
    async (tool, command, what) => {
      const cache = scratchCache();
      const env = { PATH: path.join(cache, 'empty-bin'), INCIDENTS_TOOLS_CACHE: cache };
      const error = await installTool(tool, env).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolInstallError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${tool} ${ALL_PINS[tool].version}: ${command} is not on PATH\\. Install .*then run \`npm run tools\` again\\.$`,
        ),
      );
      expect((error as Error).message).toMatch(what);
      expect(readdirSync(cache)).toEqual([]);
    },
  );

  it('names the tool, the command and the reason when a build fails', async () => {
    const cache = scratchCache();
    // A module proxy that answers nothing: the download fails at once, as an unreachable registry would.
    const env = {
      ...process.env,
      INCIDENTS_TOOLS_CACHE: cache,
      GOPROXY: 'off',
      GOMODCACHE: path.join(cache, 'empty-modcache'),
      GOFLAGS: '-modcacherw',
    };
    const error = await installTool('actionlint', env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInstallError);
    const message = (error as Error).message;
    expect(message).toContain(
      `actionlint ${ALL_PINS.actionlint.version}: \`go install -trimpath -ldflags=-s -w github.com/rhysd/actionlint/cmd/actionlint@${ALL_PINS.actionlint.version}\` failed (exit 1):`,
    );
    expect(message).toMatch(/module lookup disabled by GOPROXY=off/);
    expect(message).toMatch(/fix the cause above, then run `npm run tools` again\.$/);
    expect(readdirSync(cache).filter((f) => f !== 'empty-modcache')).toEqual([]);
  }, 60_000);
});

describe('installSystemTool', () => {
  /**
   * A recording apt-get on a PATH of its own: the real one would change this machine's packages.
   * Its `install` puts a shellcheck that reports a version where the locator looks, as the package does.
   */
  function fakeApt(exitCode = 0): { env: Record<string, string>; calls: () => string[]; bin: string } {
    const bin = scratchCache();
    const log = path.join(bin, 'calls.log');
    writeFileSync(
      path.join(bin, 'apt-get'),
      [
        '#!/bin/sh',
        `echo "$DEBIAN_FRONTEND $*" >> '${log}'`,
        exitCode !== 0 ? `echo 'E: Unable to locate package shellcheck' >&2; exit ${exitCode}` : '',
        `if [ "$1" = install ]; then printf '#!/bin/sh\\necho "version: 0.9.0"\\n' > '${bin}/shellcheck'; /bin/chmod +x '${bin}/shellcheck'; fi`,
      ].join('\n'),
      { mode: 0o755 },
    );
    return {
      env: { PATH: bin, INCIDENTS_TOOLS_CACHE: scratchCache() },
      calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
      bin,
    };
  }

  it("installs Debian's shellcheck with apt-get as root, lists first, and returns what the locator finds", async () => {
    const apt = fakeApt();
    await expect(installSystemTool('shellcheck', apt.env, true)).resolves.toBe(
      path.join(apt.bin, 'shellcheck'),
    );
    expect(apt.calls()).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq --no-install-recommends shellcheck',
    ]);
  });

  it('names the command instead of installing when not root', async () => {
    const apt = fakeApt();
    const error = await installSystemTool('shellcheck', apt.env, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInstallError);
    expect((error as Error).message).toBe(
      'shellcheck is not installed: run `sudo apt-get install shellcheck`, then `npm run tools`.',
    );
    expect(apt.calls()).toEqual([]);
  });

  it("fails with apt-get's reason when the package cannot be had", async () => {
    const apt = fakeApt(100);
    const error = await installSystemTool('shellcheck', apt.env, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInstallError);
    expect((error as Error).message).toBe(
      'shellcheck: `apt-get update -qq` failed (exit 100):\nE: Unable to locate package shellcheck',
    );
  });
});
