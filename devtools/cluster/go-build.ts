import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { installFolder } from '../install-folder.js';
import { runToolchain } from '../toolchain.js';
import { toolsCache } from './layout.js';
import { progress } from './progress.js';

/**
 * Builds binaries from a published Go module, once per version, into the tool cache.
 *
 * An upstream module cannot always be built with `go install module/cmd@version`: Kubernetes and
 * etcd keep `replace` lines pointing at folders of their own repository (`./staging/src/k8s.io/api`,
 * `../api`), which Go refuses outside that repository. So each build gets a small module of its own
 * in the cache that requires the upstream module and points every such replace at the published
 * module of the matching version, then `go build`s the commands. Built with `CGO_ENABLED=0` and
 * `-trimpath`: static binaries that run anywhere, and compile cache entries that do not depend on
 * where the build folder is.
 */
export interface ModuleBuild {
  /** Folder name in the tool cache: `<name>-<version>`. */
  name: string;
  module: string;
  version: string;
  /** Binary name → package path. */
  binaries: Record<string, string>;
  /** The published version that replaces a module the upstream go.mod points at a local folder. */
  replaceVersion: (modulePath: string) => string;
  tags?: readonly string[];
  /** `-X` settings (`importpath.name=value`); linker flags leave the compile cache valid. */
  linkerVariables?: readonly string[];
  /** Go files of our own added to the build module (path → text), e.g. a main package with fewer plugins. */
  sources?: Record<string, string>;
}

export interface BuiltTool {
  dir: string;
  path(binary: string): string;
}

export const BUILD_MODULE_PREFIX = 'incidents-pipeline/cluster-build';

export function toolDir(recipe: Pick<ModuleBuild, 'name' | 'version'>): string {
  return path.join(toolsCache(), `${recipe.name}-${recipe.version}`);
}

function built(dir: string): BuiltTool {
  return { dir, path: (binary) => path.join(dir, binary) };
}

/** The binaries of a recipe, built now when the cache does not have them yet. */
export async function ensureGoBuild(recipe: ModuleBuild): Promise<BuiltTool> {
  const dir = toolDir(recipe);
  if (Object.keys(recipe.binaries).every((b) => existsSync(path.join(dir, b)))) return built(dir);

  const workDir = path.join(toolsCache(), '.build', `${recipe.name}-${recipe.version}`);
  await mkdir(workDir, { recursive: true });
  const env = goEnv();

  progress(`building ${recipe.module}@${recipe.version} (${Object.keys(recipe.binaries).join(', ')})`);
  const upstream = await upstreamGoMod(recipe.module, recipe.version, env);
  await writeFile(path.join(workDir, 'go.mod'), buildGoMod(recipe, upstream));
  await writeFile(path.join(workDir, 'tools.go'), toolsGo(recipe));
  for (const [file, text] of Object.entries(recipe.sources ?? {})) {
    await mkdir(path.dirname(path.join(workDir, file)), { recursive: true });
    await writeFile(path.join(workDir, file), text);
  }
  await go(['mod', 'tidy'], workDir, env);

  // The whole folder appears at once, so a cut-off build never looks like a finished one.
  await installFolder(
    dir,
    async (staging) => {
      const timings: Record<string, number> = {};
      for (const [binary, pkg] of Object.entries(recipe.binaries)) {
        const started = Date.now();
        const ldflags = ['-s', '-w', ...(recipe.linkerVariables ?? []).map((v) => `-X=${v}`)].join(' ');
        const args = ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', path.join(staging, binary)];
        if (recipe.tags?.length) args.push(`-tags=${recipe.tags.join(',')}`);
        await go([...args, pkg], workDir, env);
        timings[binary] = (Date.now() - started) / 1000;
        progress(`  built ${binary} in ${timings[binary].toFixed(1)} s`);
      }
      await writeFile(
        path.join(staging, 'build-info.json'),
        `${JSON.stringify({ module: recipe.module, version: recipe.version, seconds: timings }, null, 2)}\n`,
      );
    },
    async () => Object.keys(recipe.binaries).every((b) => existsSync(path.join(dir, b))),
  );
  return built(dir);
}

function goEnv(): Record<string, string> {
  // GOTOOLCHAIN=local: use the Go on this machine, never fetch another toolchain behind our back.
  return { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
}

async function go(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const run = await runToolchain('go', args, { cwd, env });
  if (run.outcome === 'missing') {
    throw new Error(
      'go is not installed: install Go 1.26 (apt-get install golang-go is too old; use go.dev/dl).',
    );
  }
  if (run.outcome === 'failed') {
    throw new Error(`go ${args[0]} failed in ${cwd} (exit ${run.exitCode}):\n${run.tail}`);
  }
  return run.stdout;
}

interface UpstreamGoMod {
  goVersion: string;
  godebug: string[];
  /** Modules the upstream go.mod replaces with a folder of its own repository. */
  localReplaces: string[];
}

async function upstreamGoMod(module: string, version: string, env: Record<string, string>) {
  const info = JSON.parse(await go(['mod', 'download', '-json', `${module}@${version}`], '/', env)) as {
    GoMod: string;
  };
  return parseGoMod(await readFile(info.GoMod, 'utf8'));
}

/** The parts of a go.mod a build module has to carry over. */
export function parseGoMod(text: string): UpstreamGoMod {
  const goVersion = /^go\s+(\S+)/m.exec(text)?.[1] ?? '1.25';
  const godebug = [...text.matchAll(/^godebug\s+(.+)$/gm)].map((m) => m[1].trim());
  const localReplaces: string[] = [];
  for (const m of text.matchAll(
    /^[ \t]*(?:replace[ \t]+)?([^\s(]+)(?:[ \t]+\S+)?[ \t]+=>[ \t]+(\.{1,2}\/\S*)[ \t]*$/gm,
  )) {
    // FORBIDDEN_DEPENDENCY entries only guard against imports that must never happen.
    if (!m[2].includes('FORBIDDEN')) localReplaces.push(m[1]);
  }
  return { goVersion, godebug, localReplaces };
}

export function buildGoMod(recipe: ModuleBuild, upstream: UpstreamGoMod): string {
  const lines = [
    `module ${BUILD_MODULE_PREFIX}/${recipe.name}`,
    '',
    `go ${upstream.goVersion}`,
    '',
    ...upstream.godebug.map((d) => `godebug ${d}`),
    '',
    `require ${recipe.module} ${recipe.version}`,
  ];
  if (upstream.localReplaces.length > 0) {
    lines.push('', 'replace (');
    for (const m of upstream.localReplaces) lines.push(`\t${m} => ${m} ${recipe.replaceVersion(m)}`);
    lines.push(')');
  }
  return `${lines.join('\n')}\n`;
}

/** Keeps every built package in the build module's requirements through `go mod tidy`. */
function toolsGo(recipe: ModuleBuild): string {
  const own = `${BUILD_MODULE_PREFIX}/${recipe.name}/`;
  const imports = Object.values(recipe.binaries)
    .filter((p) => !p.startsWith(own))
    .map((p) => `\t_ "${p}"`);
  return ['//go:build tools', '', 'package tools', '', 'import (', ...imports, ')', ''].join('\n');
}
