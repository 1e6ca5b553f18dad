import {
  findOnPath,
  locatePinnedTool,
  probeVersion,
  TOOL_PINS,
  ToolNotInstalledError,
  type LocateOptions,
  type ProductTool,
  type ToolPin,
} from '@incidents-pipeline/actions-lib/tools';

/**
 * The tools only development and the tests use, pinned here and not in the product: the product's
 * own pins (helm, kind, cosign) stay in actions-lib's tools.ts, which the CLI reads too. `npm run tools`
 * builds all of them (ALL_PINS); `locateDevTool` finds any of them the way `locateTool` finds helm.
 */

export type DevTool = 'actionlint' | 'zizmor' | 'act' | 'node' | 'registry';
export type PinnedTool = ProductTool | DevTool;
/** Tools taken from the machine's packages as they are (Debian's shellcheck), never built here. */
export type SystemTool = 'shellcheck';

export const DEV_TOOL_PINS: Readonly<Record<DevTool, ToolPin>> = {
  actionlint: { version: 'v1.7.12', versionArgs: ['-version'] },
  zizmor: { version: '1.32.0', versionArgs: ['--version'] },
  // 0.2.81 is the first act that runs node24 actions; this is the newest the Go module proxy serves.
  act: { version: 'v0.2.89', versionArgs: ['--version'] },
  // The Node the workflows' setup-node asks for (24) and GitHub runs actions on, for local act runs and
  // the test base image; the machine's own node may be older (workflows.test.ts holds the majors equal).
  node: { version: 'v24.22.3', versionArgs: ['--version'] },
  // The registry that plays GHCR on loopback in the act and cluster tests (CNCF distribution).
  registry: { version: 'v3.1.2', versionArgs: ['--version'] },
};

export const ALL_PINS: Readonly<Record<PinnedTool, ToolPin>> = { ...TOOL_PINS, ...DEV_TOOL_PINS };
export const PINNED_TOOLS = Object.keys(ALL_PINS) as PinnedTool[];

const SYSTEM_TOOLS: Readonly<Record<SystemTool, { versionArgs: readonly string[]; howToGet: string }>> = {
  // actionlint runs shellcheck on every `run:` script, but only when it finds it on PATH.
  shellcheck: {
    versionArgs: ['--version'],
    howToGet: "install Debian's package: apt-get install shellcheck",
  },
};

export function isPinned(tool: PinnedTool | SystemTool): tool is PinnedTool {
  return tool in ALL_PINS;
}

/** Any pinned tool (product or development) at its pin, or a system tool that runs. */
export async function locateDevTool(
  tool: PinnedTool | SystemTool,
  options: LocateOptions = {},
): Promise<string> {
  if (isPinned(tool)) return locatePinnedTool(tool, ALL_PINS[tool], options);
  const env = options.env ?? process.env;
  const onPath = await findOnPath(tool, env);
  if (onPath && (await probeVersion(onPath, SYSTEM_TOOLS[tool].versionArgs)) !== undefined) return onPath;
  throw new ToolNotInstalledError(
    tool,
    `${tool} is not installed (${onPath ? `${onPath} does not run` : 'not on PATH'}): ${SYSTEM_TOOLS[tool].howToGet}, then run \`npm run tools\`.`,
  );
}
