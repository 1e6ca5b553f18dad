import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Stand-in executables (docker, kind) for tests of code that drives tools which cannot run here (kind)
 * or should not (a real push). Each stand-in is a real process found on PATH: it records its argv and
 * selected environment variables to a JSON-lines file, then behaves as the given script says. Tests
 * assert on the recorded calls, including that none happened.
 */

export interface RecordedCall {
  tool: string;
  args: string[];
  env: Record<string, string | undefined>;
}

export interface StandIns {
  binDir: string;
  /** PATH with the stand-ins first, then the real PATH (for node, git, sh). */
  path: string;
  calls(): RecordedCall[];
  cleanup(): void;
}

/** Environment variables each stand-in records, for asserting on how it was called. */
const RECORDED_ENV = ['DOCKER_BUILDKIT', 'SOURCE_DATE_EPOCH'];

/**
 * `scripts` maps a tool name to CommonJS code run with `args` (argv after the tool name) and `fs`
 * in scope; it ends the process itself or falls through to exit 0.
 */
export function installStandIns(scripts: Record<string, string>): StandIns {
  const binDir = mkdtempSync(path.join(tmpdir(), 'stand-ins-'));
  const log = path.join(binDir, 'calls.jsonl');
  for (const [tool, script] of Object.entries(scripts)) {
    const file = path.join(binDir, tool);
    writeFileSync(
      file,
      [
        `#!${process.execPath}`,
        `const fs = require('node:fs');`,
        `const args = process.argv.slice(2);`,
        `const env = {};`,
        `for (const k of ${JSON.stringify(RECORDED_ENV)}) env[k] = process.env[k];`,
        `fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, args, env }) + '\\n');`,
        script,
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
  }
  return {
    binDir,
    path: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as RecordedCall)
        : [],
    cleanup: () => rmSync(binDir, { recursive: true, force: true }),
  };
}

export const FAKE_IMAGE_ID = `sha256:${'1'.repeat(64)}`;
export const FAKE_DIGEST = `sha256:${'d'.repeat(64)}`;

/**
 * A docker that answers like a working daemon: `build` writes the image id file, `image inspect`
 * reports an image (with a repo digest per tag repository once pushed), `save` writes the archive.
 * `options.buildx` says whether the buildx plugin is there.
 */
export function fakeDockerScript(options: { buildx?: boolean; daemon?: boolean } = {}): string {
  const { buildx = false, daemon = true } = options;
  return `
const [command] = args;
if (command === 'version') {
  if (!${daemon}) {
    console.error('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
    process.exit(1);
  }
  console.log('27.5.1');
  process.exit(0);
}
if (command === 'buildx') {
  if (${buildx}) { console.log('github.com/docker/buildx v0.20.0'); process.exit(0); }
  console.error("docker: 'buildx' is not a docker command.");
  process.exit(1);
}
if (command === 'build') {
  fs.writeFileSync(args[args.indexOf('--iidfile') + 1], ${JSON.stringify(FAKE_IMAGE_ID)} + '\\n');
  console.log('Successfully built');
  process.exit(0);
}
if (command === 'image' && args[1] === 'inspect') {
  const reference = args[args.length - 1];
  const repository = reference.startsWith('sha256:') ? 'none' : reference.replace(/:[^:/]*$/, '');
  console.log(JSON.stringify({
    Id: ${JSON.stringify(FAKE_IMAGE_ID)},
    Size: 209715200,
    RepoDigests: ['elsewhere.example/other@sha256:${'e'.repeat(64)}', repository + '@${FAKE_DIGEST}'],
    Config: { Labels: { 'org.opencontainers.image.version': 'x' }, User: '10001:10001' },
  }));
  process.exit(0);
}
if (command === 'push') {
  console.log(args[1] + ': digest: ${FAKE_DIGEST} size: 1234');
  process.exit(0);
}
if (command === 'save') {
  fs.writeFileSync(args[args.indexOf('-o') + 1], 'archive');
  process.exit(0);
}
console.error('stand-in docker: unexpected command ' + args.join(' '));
process.exit(64);
`;
}

/**
 * A kind with the given clusters whose `load docker-image` fails when `dockerImageFails` (the known
 * containerd image store problem) and whose `load image-archive` fails when `archiveFails`.
 * `image-archive` checks that the archive it is given exists.
 */
export function fakeKindScript(
  options: { clusters?: string[]; dockerImageFails?: boolean; archiveFails?: boolean } = {},
): string {
  const { clusters = ['incidents'], dockerImageFails = false, archiveFails = false } = options;
  return `
const clusters = ${JSON.stringify(clusters)};
if (args[0] === 'get' && args[1] === 'clusters') {
  if (clusters.length === 0) console.error('No kind clusters found.');
  for (const c of clusters) console.log(c);
  process.exit(0);
}
if (args[0] === 'load' && args[1] === 'docker-image') {
  if (${dockerImageFails}) {
    console.error('ERROR: failed to load image: command "docker exec --privileged -i incidents-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1');
    process.exit(1);
  }
  process.exit(0);
}
if (args[0] === 'load' && args[1] === 'image-archive') {
  if (!fs.existsSync(args[2])) { console.error('ERROR: archive not found: ' + args[2]); process.exit(1); }
  if (${archiveFails}) { console.error('ERROR: failed to load image: no space left on device'); process.exit(1); }
  process.exit(0);
}
console.error('stand-in kind: unexpected command ' + args.join(' '));
process.exit(64);
`;
}
