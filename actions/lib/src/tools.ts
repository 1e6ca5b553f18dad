import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ActionError } from './errors.js';

/**
 * The upstream tools the pipeline is built around, at the one set of versions pinned for this
 * repository, and the one way to find them. Tests and the local CLI both ask `locateTool`, so a
 * test never runs against some other version than the CLI, and a missing tool is an error that
 * says how to get it instead of a silently skipped test.
 *
 * `npm run tools` (devtools/tools/) builds these pins from their own registries into
 * the cache this file names; nothing here installs anything.
 */

export type PinnedTool = 'helm' | 'actionlint' | 'zizmor' | 'act' | 'kind' | 'node' | 'registry';
/** Tools taken from the machine's packages as they are (Debian's shellcheck), never built here. */
export type SystemTool = 'shellcheck';
export type LocatableTool = PinnedTool | SystemTool;

export interface ToolPin {
  /** The version as the tool reports it, and as its registry names it. */
  readonly version: string;
  /** A call that prints the version and needs no cluster, daemon or network. */
  readonly versionArgs: readonly string[];
}

export const TOOL_PINS: Readonly<Record<PinnedTool, ToolPin>> = {
  // The workflows' Azure/setup-helm installs this same version (workflows.test.ts holds them equal).
  helm: { version: 'v4.3.2', versionArgs: ['version', '--template', '{{.Version}}'] },
  actionlint: { version: 'v1.7.12', versionArgs: ['-version'] },
  zizmor: { version: '1.32.0', versionArgs: ['--version'] },
  // 0.2.81 is the first act that runs node24 actions; this is the newest the Go module proxy serves.
  act: { version: 'v0.2.89', versionArgs: ['--version'] },
  // The kind helm/kind-action v1.14.0 installs in the workflows.
  kind: { version: 'v0.31.0', versionArgs: ['version'] },
  // The Node the workflows' setup-node asks for (24) and GitHub runs actions on, for local act runs and
  // the test base image; the machine's own node may be older (workflows.test.ts holds the majors equal).
  node: { version: 'v24.22.3', versionArgs: ['--version'] },
  // The registry that plays GHCR on loopback in the act and cluster tests (CNCF distribution).
  registry: { version: 'v3.1.2', versionArgs: ['--version'] },
};

const SYSTEM_TOOLS: Readonly<Record<SystemTool, { versionArgs: readonly string[]; howToGet: string }>> = {
  // actionlint runs shellcheck on every `run:` script, but only when it finds it on PATH.
  shellcheck: {
    versionArgs: ['--version'],
    howToGet: "install Debian's package: apt-get install shellcheck",
  },
};

export const PINNED_TOOLS = Object.keys(TOOL_PINS) as PinnedTool[];

export function isPinned(tool: LocatableTool): tool is PinnedTool {
  return tool in TOOL_PINS;
}

type Env = Record<string, string | undefined>;

/** `$INCIDENTS_TOOLS_CACHE`, else `~/.cache/incidents-pipeline/tools`: outside every clone, shared by all. */
export function toolsCacheDir(env: Env = process.env): string {
  return path.resolve(
    env.INCIDENTS_TOOLS_CACHE || path.join(homedir(), '.cache', 'incidents-pipeline', 'tools'),
  );
}

/** Where `npm run tools` puts a pinned tool: one folder per name and version, so pins never collide. */
export function cachedToolPath(tool: PinnedTool, env: Env = process.env): string {
  return path.join(toolsCacheDir(env), `${tool}-${TOOL_PINS[tool].version}`, tool);
}

/** The first `x.y.z` in a tool's version output, without a leading `v`. */
export function reportedVersion(output: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+(?:-[\w.]+)?)\b/.exec(output)?.[1];
}

export function samePinnedVersion(reported: string | undefined, pinned: string): boolean {
  return reported !== undefined && reported === pinned.replace(/^v/, '');
}

/** What a tool prints for its version call, or undefined when it cannot be started or fails. */
export async function probeVersion(binary: string, args: readonly string[]): Promise<string | undefined> {
  const result = await execa(binary, [...args], { reject: false, timeout: 30_000 });
  if (result.exitCode !== 0) return undefined;
  return reportedVersion(`${String(result.stdout)}\n${String(result.stderr)}`);
}

export async function findOnPath(command: string, env: Env = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class ToolNotInstalledError extends ActionError {
  override readonly name = 'ToolNotInstalledError';
  constructor(
    readonly tool: LocatableTool,
    message: string,
  ) {
    super(message);
  }
}

export interface LocateOptions {
  /** PATH and INCIDENTS_TOOLS_CACHE come from here; default the process environment. */
  env?: Env;
}

const located = new Map<string, Promise<string>>();

/**
 * The executable of `tool`: the one on PATH when it reports the pinned version, else the one
 * `npm run tools` put in the cache, else a `ToolNotInstalledError` that names `npm run tools`.
 * Answers are kept for the life of the process; a failed lookup is not, so installing helps at once.
 */
export function locateTool(tool: LocatableTool, options: LocateOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const key = [tool, env.PATH ?? '', toolsCacheDir(env)].join('\0');
  let found = located.get(key);
  if (!found) {
    found = isPinned(tool) ? locatePinned(tool, env) : locateSystem(tool, env);
    found.catch(() => located.delete(key));
    located.set(key, found);
  }
  return found;
}

async function locatePinned(tool: PinnedTool, env: Env): Promise<string> {
  const pin = TOOL_PINS[tool];
  const onPath = await findOnPath(tool, env);
  let pathNote = `no ${tool} on PATH`;
  if (onPath) {
    const version = await probeVersion(onPath, pin.versionArgs);
    if (samePinnedVersion(version, pin.version)) return onPath;
    pathNote = `${onPath} is ${version ?? 'of an unknown version'}`;
  }
  const cached = cachedToolPath(tool, env);
  // The cache folder is named by version and filled atomically, so a present binary is the pinned one.
  if (await isExecutable(cached)) return cached;
  throw new ToolNotInstalledError(
    tool,
    `${tool} ${pin.version} is not installed (${pathNote}; nothing at ${cached}). Run \`npm run tools\`.`,
  );
}

async function locateSystem(tool: SystemTool, env: Env): Promise<string> {
  const onPath = await findOnPath(tool, env);
  if (onPath && (await probeVersion(onPath, SYSTEM_TOOLS[tool].versionArgs)) !== undefined) return onPath;
  throw new ToolNotInstalledError(
    tool,
    `${tool} is not installed (${onPath ? `${onPath} does not run` : 'not on PATH'}): ${SYSTEM_TOOLS[tool].howToGet}, then run \`npm run tools\`.`,
  );
}
