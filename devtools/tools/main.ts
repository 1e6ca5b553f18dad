import { performance } from 'node:perf_hooks';
import { probeVersion, ToolNotInstalledError } from '@incidents-pipeline/actions-lib/tools';
import { ALL_PINS, PINNED_TOOLS, isPinned, locateDevTool, type PinnedTool, type SystemTool } from './pins.js';
import { installTool } from './install.js';
import { installSystemTool } from './install-system.js';
import { describeRecipe, RECIPES } from './recipes.js';

/**
 * `npm run tools`: makes every pinned tool available and prints one line per tool, `name version
 * path`, on stdout (progress goes to stderr). A tool that is already there costs one file check, so
 * a second run is quick. Every tool is tried even when one fails; the exit code is 1 if any did.
 */

const TOOLS: (PinnedTool | SystemTool)[] = [...PINNED_TOOLS, 'shellcheck'];

async function ensure(tool: PinnedTool | SystemTool): Promise<string> {
  try {
    return await locateDevTool(tool);
  } catch (error) {
    if (!(error instanceof ToolNotInstalledError)) throw error;
    const started = performance.now();
    const what = isPinned(tool) ? `${tool} ${ALL_PINS[tool].version}` : tool;
    const how = isPinned(tool) ? describeRecipe(RECIPES[tool]) : "Debian's package, with apt-get";
    process.stderr.write(`${what}: ${how} ...\n`);
    const installed = isPinned(tool) ? await installTool(tool) : await installSystemTool(tool);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`${what}: installed in ${seconds} s\n`);
    return installed;
  }
}

async function versionOf(tool: PinnedTool | SystemTool, binary: string): Promise<string> {
  // Pinned tools were checked against their pin on the way in; shellcheck is whatever Debian ships.
  if (isPinned(tool)) return ALL_PINS[tool].version;
  return (await probeVersion(binary, ['--version'])) ?? 'unknown';
}

let failed = 0;
for (const tool of TOOLS) {
  try {
    const binary = await ensure(tool);
    process.stdout.write(`${tool} ${await versionOf(tool, binary)} ${binary}\n`);
  } catch (error) {
    failed += 1;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
