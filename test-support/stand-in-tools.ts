import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './action-env.js';

/**
 * Stand-in `helm`, `kubectl`, `docker` and `kind` executables for tests, since no cluster can run
 * here: small node scripts (in `stand-ins/`) put on PATH that record every call and answer from a
 * simulated world kept in a JSON state file (releases with their histories, pods, events, images,
 * clusters). They answer with the JSON shapes the real tools print, so the code under test parses
 * what it would parse in a workflow. `kubectl port-forward` starts a real HTTP server on 127.0.0.1.
 */

export type StandInTool = 'helm' | 'kubectl' | 'docker' | 'kind';

export interface RecordedCall {
  tool: StandInTool;
  args: string[];
  /** Values files passed with `--values`, read while the call ran (they are deleted afterwards). */
  files: { file: string; mode?: number; text?: string; error?: string }[];
  /** `DOCKER_BUILDKIT` and `SOURCE_DATE_EPOCH` as the call saw them. */
  env: Record<string, string | undefined>;
}

export interface StandIns {
  /** Directory holding the stand-in executables. */
  binDir: string;
  /** Environment for the process under test: PATH with the stand-ins first, and their files. */
  env: Record<string, string>;
  calls(tool?: StandInTool): RecordedCall[];
  state<T = StandInState>(): T;
  setState(state: StandInState): void;
  cleanup(): void;
}

export interface StandInState {
  helmVersion?: string;
  releases?: Record<string, { namespace: string; history: Record<string, unknown>[] }>;
  upgradeFails?: string;
  /** `helm upgrade` waits until SIGTERM (or `stallSucceedsAfterMs`) with `stalledPods` added. */
  upgradeStalls?: boolean;
  /** `helm rollback` to this revision waits until SIGTERM, with `stalledPods` added. */
  rollbackStalls?: number;
  stalledPods?: unknown[];
  /** The ReplicaSets listed once a stalled command has started. */
  stalledReplicaSets?: unknown[];
  stallSucceedsAfterMs?: number;
  /** `helm test` fails; `'silently'`: with the pod's log on stdout and nothing on stderr. */
  testFails?: boolean | 'silently';
  events?: unknown[];
  pods?: unknown[];
  deployments?: unknown[];
  replicaSets?: unknown[];
  services?: unknown[];
  http?: { readyz: number; rootStatus: number; root: string };
  images?: string[];
  /** References `docker pull` gets; pulling any other fails as it does with no route to the registry. */
  pullable?: string[];
  /** References that `image inspect` shows as pushed, with `digest` among their RepoDigests. */
  pushed?: string[];
  /** The id every build and inspect reports, and the digest of every pushed reference. */
  imageId?: string;
  digest?: string;
  /** `false`: docker has no buildx plugin, so builds use the classic builder. */
  buildx?: boolean;
  clusters?: string[];
  kindDockerImageFails?: boolean;
  kindArchiveFails?: boolean;
  dockerDown?: boolean;
  [key: string]: unknown;
}

export const FAKE_IMAGE_ID = `sha256:${'1'.repeat(64)}`;
export const FAKE_DIGEST = `sha256:${'d'.repeat(64)}`;

const SCRIPTS = fileURLToPath(new URL('./stand-ins/', import.meta.url));

/**
 * Creates the stand-ins for `tools`. With `inheritPath: false` PATH holds only them, so any other
 * tool is missing (node itself is started by absolute path, and so are the stand-ins' shebangs).
 */
export function createStandIns(
  tools: readonly StandInTool[],
  state: StandInState,
  options: { inheritPath?: boolean } = {},
): StandIns {
  const { dir, cleanup } = tempDir('stand-ins-');
  const binDir = path.join(dir, 'bin');
  const stateFile = path.join(dir, 'state.json');
  const recordFile = path.join(dir, 'calls.jsonl');
  mkdirSync(binDir);
  writeFileSync(recordFile, '');
  writeFileSync(stateFile, JSON.stringify({ imageId: FAKE_IMAGE_ID, digest: FAKE_DIGEST, ...state }));
  for (const tool of tools) {
    const script = path.join(SCRIPTS, `${tool}.js`);
    const executable = path.join(binDir, tool);
    writeFileSync(
      executable,
      `#!${process.execPath}\nimport(${JSON.stringify(new URL(`file://${script}`).href)});\n`,
    );
    chmodSync(executable, 0o755);
  }
  const inherit = options.inheritPath ?? true;
  return {
    binDir,
    env: {
      PATH: inherit ? `${binDir}${path.delimiter}${process.env.PATH ?? ''}` : binDir,
      STANDIN_STATE: stateFile,
      STANDIN_RECORD: recordFile,
    },
    calls: (tool) =>
      readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as RecordedCall)
        .filter((c) => tool === undefined || c.tool === tool),
    state: <T>() => JSON.parse(readFileSync(stateFile, 'utf8')) as T,
    setState: (next) => writeFileSync(stateFile, JSON.stringify(next)),
    cleanup,
  };
}
