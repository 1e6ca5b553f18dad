import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ActionError } from './errors.js';

/**
 * The upstream tools the product runs, helm, kind and cosign, at the one set of versions pinned for this
 * repository, and the one way to find a pinned tool. Tests and the local CLI both ask `locateTool`,
 * so a test never runs against some other version than the CLI, and a missing tool is an error that
 * says how to get it instead of a silently skipped test.
 *
 * The development platform pins its own tools (act, actionlint, zizmor, Node 24, the registry) in
 * devtools/tools/pins.ts and finds them through `locatePinnedTool`; `npm run tools` (devtools/tools/)
 * builds every pin from its own registry into the cache this file names. Nothing here installs anything.
 */

export type ProductTool = 'helm' | 'kind' | 'cosign';

export interface ToolPin {
  /** The version as the tool reports it, and as its registry names it. */
  readonly version: string;
  /** A call that prints the version and needs no cluster, daemon or network. */
  readonly versionArgs: readonly string[];
}

export const TOOL_PINS: Readonly<Record<ProductTool, ToolPin>> = {
  // The workflows' Azure/setup-helm installs this same version (workflows.test.ts holds them equal).
  helm: { version: 'v4.3.2', versionArgs: ['version', '--template', '{{.Version}}'] },
  // The kind helm/kind-action v1.14.0 installs in the workflows.
  kind: { version: 'v0.31.0', versionArgs: ['version'] },
  // build-image signs and helm-deploy verifies with it, so it is the product's pin, found on PATH like
  // helm. There is no installer action pinned for the workflows yet (docs/signing.md).
  cosign: { version: 'v3.1.3', versionArgs: ['version'] },
};

type Env = Record<string, string | undefined>;

/** `$INCIDENTS_TOOLS_CACHE`, else `~/.cache/incidents-pipeline/tools`: outside every clone, shared by all. */
export function toolsCacheDir(env: Env = process.env): string {
  return path.resolve(
    env.INCIDENTS_TOOLS_CACHE || path.join(homedir(), '.cache', 'incidents-pipeline', 'tools'),
  );
}

/** Where `npm run tools` puts a pinned tool: one folder per name and version, so pins never collide. */
export function cachedToolPath(tool: string, pin: ToolPin, env: Env = process.env): string {
  return path.join(toolsCacheDir(env), `${tool}-${pin.version}`, tool);
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
    readonly tool: string,
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
 * The executable of a product tool: the one on PATH when it reports the pinned version, else the
 * one `npm run tools` put in the cache, else a `ToolNotInstalledError` that names `npm run tools`.
 */
export function locateTool(tool: ProductTool, options: LocateOptions = {}): Promise<string> {
  return locatePinnedTool(tool, TOOL_PINS[tool], options);
}

/**
 * `locateTool` for any pinned tool, product or development platform. Answers are kept for the life
 * of the process; a failed lookup is not, so installing helps at once.
 */
export function locatePinnedTool(tool: string, pin: ToolPin, options: LocateOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const key = [tool, pin.version, env.PATH ?? '', toolsCacheDir(env)].join('\0');
  let found = located.get(key);
  if (!found) {
    found = locatePinned(tool, pin, env);
    found.catch(() => located.delete(key));
    located.set(key, found);
  }
  return found;
}

async function locatePinned(tool: string, pin: ToolPin, env: Env): Promise<string> {
  const onPath = await findOnPath(tool, env);
  let pathNote = `no ${tool} on PATH`;
  if (onPath) {
    const version = await probeVersion(onPath, pin.versionArgs);
    if (samePinnedVersion(version, pin.version)) return onPath;
    pathNote = `${onPath} is ${version ?? 'of an unknown version'}`;
  }
  const cached = cachedToolPath(tool, pin, env);
  // The cache folder is named by version and filled atomically, so a present binary is the pinned one.
  if (await isExecutable(cached)) return cached;
  throw new ToolNotInstalledError(
    tool,
    `${tool} ${pin.version} is not installed (${pathNote}; nothing at ${cached}). Run \`npm run tools\`.`,
  );
}
