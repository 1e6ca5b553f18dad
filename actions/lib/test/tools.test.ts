import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { ALL_PINS, locateDevTool, PINNED_TOOLS } from '@incidents-pipeline/devtools/tools/pins';
import {
  cachedToolPath,
  locateTool,
  reportedVersion,
  TOOL_PINS,
  ToolNotInstalledError,
  toolsCacheDir,
} from '../src/tools.js';

/**
 * The one way tests and the CLI find a pinned tool: `locateTool` for the product's helm, kind and cosign, and
 * the same locator through devtools' `locateDevTool` for act, actionlint, zizmor, Node 24, the registry
 * and shellcheck.
 */

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A scratch PATH folder and tools cache. */
function scratch() {
  const { dir, cleanup } = tempDir('tools-locator-');
  cleanups.push(cleanup);
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const env = { PATH: bin, INCIDENTS_TOOLS_CACHE: path.join(dir, 'cache') };
  return { bin, env };
}

/** An executable that prints `output` whatever it is asked. */
function fakeTool(file: string, output: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('locateTool', () => {
  it('takes the tool on PATH when it reports the pinned version', async () => {
    const { bin, env } = scratch();
    const kind = fakeTool(path.join(bin, 'kind'), `kind ${TOOL_PINS.kind.version} go1.26.8 linux/amd64`);
    fakeTool(cachedToolPath('kind', ALL_PINS.kind, env), 'not this one');
    expect(await locateTool('kind', { env })).toBe(kind);
  });

  it('passes over a PATH tool of another version for the cached one', async () => {
    const { bin, env } = scratch();
    fakeTool(path.join(bin, 'helm'), 'v4.1.4');
    const cached = fakeTool(cachedToolPath('helm', ALL_PINS.helm, env), TOOL_PINS.helm.version);
    expect(cached).toBe(path.join(env.INCIDENTS_TOOLS_CACHE, `helm-${TOOL_PINS.helm.version}`, 'helm'));
    expect(await locateTool('helm', { env })).toBe(cached);
  });

  it('fails naming npm run tools, what PATH had and where the cache was looked at', async () => {
    const { bin, env } = scratch();
    fakeTool(path.join(bin, 'act'), 'act version 0.2.80');
    const error = await locateDevTool('act', { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotInstalledError);
    expect((error as Error).message).toBe(
      `act ${ALL_PINS.act.version} is not installed (${path.join(bin, 'act')} is 0.2.80; ` +
        `nothing at ${cachedToolPath('act', ALL_PINS.act, env)}). Run \`npm run tools\`.`,
    );
  });

  it('does not remember a failure: a tool installed afterwards is found', async () => {
    const { env } = scratch();
    await expect(locateDevTool('zizmor', { env })).rejects.toThrow(
      /no zizmor on PATH; .*Run `npm run tools`/,
    );
    const cached = fakeTool(
      cachedToolPath('zizmor', ALL_PINS.zizmor, env),
      `zizmor ${ALL_PINS.zizmor.version}`,
    );
    expect(await locateDevTool('zizmor', { env })).toBe(cached);
  });

  it("takes Debian's shellcheck from PATH, and names the package when it is missing", async () => {
    const { bin, env } = scratch();
    await expect(locateDevTool('shellcheck', { env })).rejects.toThrow(
      "shellcheck is not installed (not on PATH): install Debian's package: apt-get install shellcheck",
    );
    const shellcheck = fakeTool(path.join(bin, 'shellcheck'), 'version: 0.9.0');
    expect(await locateDevTool('shellcheck', { env })).toBe(shellcheck);
  });

  it('keeps the cache outside the clone unless INCIDENTS_TOOLS_CACHE says otherwise', () => {
    expect(toolsCacheDir({})).toBe(path.join(homedir(), '.cache', 'incidents-pipeline', 'tools'));
    expect(toolsCacheDir({ INCIDENTS_TOOLS_CACHE: '/srv/tools' })).toBe('/srv/tools');
  });

  it.each([
    ['v4.3.2', '4.3.2'],
    ['kind v0.31.0 go1.26.8 linux/amd64', '0.31.0'],
    ['act version 0.2.89', '0.2.89'],
    ['zizmor 1.32.0', '1.32.0'],
    ['v1.7.12\ninstalled by building from source\nbuilt with go1.26.8 compiler', '1.7.12'],
    ['ShellCheck - shell script analysis tool\nversion: 0.9.0', '0.9.0'],
  ])('reads the version in %j', (output, version) => expect(reportedVersion(output)).toBe(version));
});

describe('the tools npm run tools put in place', () => {
  it.each(PINNED_TOOLS.map((tool) => [tool]))(
    '%s runs and reports its pinned version',
    async (tool) => {
      const binary = await locateDevTool(tool);
      const result = await execa(binary, [...ALL_PINS[tool].versionArgs], { reject: false });
      expect(result.exitCode).toBe(0);
      expect(reportedVersion(`${result.stdout}\n${result.stderr}`)).toBe(
        ALL_PINS[tool].version.replace(/^v/, ''),
      );
    },
    30_000,
  );
});
