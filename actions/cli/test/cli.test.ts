import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { kindAssetName } from '@incidents-pipeline/actions-lib/kind-install';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import {
  createStandIns,
  type StandIns,
  type StandInState,
  type StandInTool,
} from '@incidents-pipeline/test-support/stand-in-tools';
import { TOOL_PINS } from '@incidents-pipeline/actions-lib/tools';
import { decide } from '../src/init.js';
import { parseCliArgs } from '../src/options.js';
import { loadSettings } from '../src/settings.js';
import { baseImage } from '../src/steps.js';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/**
 * The committed CLI bundle, run as `npm run <command>` runs it, with stand-in docker, kind, helm and
 * kubectl on PATH (or some of them missing) that record every call.
 */
const CLI = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const ALL: StandInTool[] = ['docker', 'kind', 'helm', 'kubectl'];
/** The Dockerfile's default base image, which a build needs in Docker or pullable. */
const BASE = baseImage(loadSettings());

jest.setTimeout(60_000);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function standIns(tools: StandInTool[], state: StandInState, inheritPath = false): StandIns {
  const s = createStandIns(tools, state, { inheritPath });
  cleanups.push(s.cleanup);
  return s;
}

async function cli(args: string[], tools: StandIns, env: Record<string, string> = {}) {
  const toolsDir = tempDir('cli-tools-');
  cleanups.push(toolsDir.cleanup);
  // An empty tools cache: kind and helm are the stand-ins on PATH, never the machine's real ones.
  const toolsCache = tempDir('cli-tools-cache-');
  cleanups.push(toolsCache.cleanup);
  const result = await run(process.execPath, [CLI, ...args], {
    HOME: process.env.HOME ?? '',
    INCIDENTS_TOOLS_DIR: toolsDir.dir,
    INCIDENTS_TOOLS_CACHE: toolsCache.dir,
    ...tools.env,
    ...env,
  });
  const calls = tools.calls();
  return {
    exitCode: result.exitCode,
    output: `${String(result.stdout)}\n${String(result.stderr)}`,
    calls,
    has: (tool: string, ...words: string[]) =>
      calls.some((c) => c.tool === tool && words.every((w) => c.args.includes(w))),
    toolsDir: toolsDir.dir,
  };
}

/** Runs a process with exactly `env` (the root's execa is an older major, so node's own spawn). */
function run(command: string, args: string[], env: Record<string, string>) {
  return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
  });
}

function releaseAt(tag: string): StandInState['releases'] {
  return {
    'incidents-service': {
      namespace: 'incidents',
      history: [
        {
          revision: 2,
          status: 'deployed',
          description: 'Upgrade complete',
          app_version: '0.1.0',
          config: { image: { repository: 'incidents-service', tag } },
        },
      ],
    },
  };
}

const cluster: StandInState = {
  helmVersion: TOOL_PINS.helm.version,
  clusters: ['incidents'],
  deployments: [{ spec: { replicas: 2 }, status: { readyReplicas: 2 } }],
};

describe('cli arguments', () => {
  it('parses commands, versions and the port-forward option', () => {
    expect(parseCliArgs(['deliver', '0.2.0', '--port-forward'])).toEqual({
      command: 'deliver',
      version: '0.2.0',
      help: false,
      portForward: 8080,
    });
    expect(parseCliArgs(['init', '--port', '9000']).portForward).toBe(9000);
    expect(() => parseCliArgs(['deploy'])).toThrow(/deploy needs a VERSION, e.g. npm run deploy -- 0.2.0/);
    expect(() => parseCliArgs(['init', '0.1.0'])).toThrow(/init takes no version/);
    expect(() => parseCliArgs(['init', '--port', 'http'])).toThrow(/--port must be a port number/);
  });

  it('init deploys only when nothing newer runs', () => {
    expect(decide(undefined, '0.1.0').deploy).toBe(true);
    expect(decide({ version: '0.3.0', status: 'deployed' }, '0.1.0')).toEqual({
      deploy: false,
      message: expect.stringContaining('never downgrades'),
    });
    expect(decide({ version: '0.1.0', status: 'deployed' }, '0.1.0').deploy).toBe(false);
    expect(decide({ version: '0.1.0', status: 'failed' }, '0.1.0').deploy).toBe(true);
    expect(decide({ version: '0.1.0-rc.1', status: 'deployed' }, '0.1.0').deploy).toBe(true);
    expect(() => decide({ version: 'latest', status: 'deployed' }, '0.1.0')).toThrow(
      /not a version init can compare/,
    );
  });
});

describe('the cluster a command targets', () => {
  it('is kind through its own context unless INCIDENTS_CLUSTER=local picks the local cluster', () => {
    expect(loadSettings({}).target).toBe('kind');
    expect(loadSettings({}).kubeContext).toMatch(/^kind-/);
    // The local cluster's kubeconfig (from `npm run cluster -- up`) holds its one context only.
    expect(loadSettings({ INCIDENTS_CLUSTER: 'local' })).toMatchObject({ target: 'local', kubeContext: '' });
    expect(loadSettings({ INCIDENTS_BASE_IMAGE: 'base:1' }).baseImage).toBe('base:1');
  });

  it('refuses any other INCIDENTS_CLUSTER', () => {
    expect(() => loadSettings({ INCIDENTS_CLUSTER: 'prod' })).toThrow(
      /INCIDENTS_CLUSTER must be kind or local, got 'prod'/,
    );
  });
});

describe('cli bundle', () => {
  it('prints help', async () => {
    const run = await cli(['--help'], standIns([], {}));
    expect(run.exitCode).toBe(0);
    expect(run.output).toMatch(/init\s+Install kind if missing/);
    expect(run.output).toContain('deliver VERSION');
    expect(run.output).toContain('--port-forward');
  });

  it.each([
    ['deliver', '0.2.0;rm -rf ~', /contains ';'/],
    ['deliver', '0.2', /not a strict semantic version/],
    ['deploy', '$(id)', /contains '\$'/],
    ['deploy', '1.0.0+build.5', /build metadata/],
  ])('refuses %s %j before running any tool', async (command, version, message) => {
    const tools = standIns(ALL, cluster);
    const run = await cli([command, version], tools);
    expect(run.exitCode).toBe(1);
    expect(run.output).toMatch(message);
    expect(run.calls).toEqual([]);
  });

  it('names every missing tool and how to get it', async () => {
    const run = await cli(['deliver', '0.2.0'], standIns([], {}));
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain(
      'docker was not found on PATH. Install Docker (https://docs.docker.com/engine/install/)',
    );
    expect(run.output).toMatch(
      /kind v0\.31\.0 is not installed \(no kind on PATH; nothing at \S+\)\. Run `npm run tools`\. `npm run init` installs it too\./,
    );
    expect(run.output).toContain(`helm ${TOOL_PINS.helm.version} is not installed (no helm on PATH;`);
    expect(run.output).toContain('kubectl was not found on PATH. Install kubectl');
  });

  it('names just the one missing tool', async () => {
    const run = await cli(['deploy', '0.1.0'], standIns(['docker', 'kind', 'kubectl'], cluster));
    expect(run.exitCode).toBe(1);
    expect(run.output).toMatch(/error: helm v\d+\.\d+\.\d+ is not installed .*Run `npm run tools`\./);
    expect(run.output).not.toMatch(/docker was not found|kubectl was not found|kind v/);
  });

  it('takes a helm of another version on PATH for missing, naming the version it found', async () => {
    const run = await cli(['deploy', '0.1.0'], standIns(ALL, { ...cluster, helmVersion: 'v4.1.4' }));
    expect(run.exitCode).toBe(1);
    expect(run.output).toMatch(
      new RegExp(
        `helm ${TOOL_PINS.helm.version} is not installed \\(\\S+/helm is 4\\.1\\.4; nothing at .*Run \`npm run tools\``,
      ),
    );
    expect(run.calls.filter((c) => c.tool === 'helm').map((c) => c.args[0])).toEqual(['version']);
  });

  it('deploy refuses a version whose image is not present locally', async () => {
    const tools = standIns(ALL, { ...cluster, images: ['incidents-service:0.1.0'] });
    const run = await cli(['deploy', '0.3.0'], tools);
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain(
      'image incidents-service:0.3.0 is not present locally; build and deploy it with: npm run deliver -- 0.3.0',
    );
    expect(run.has('docker', 'image', 'inspect', 'incidents-service:0.3.0')).toBe(true);
    expect(run.calls.filter((c) => c.tool === 'helm' && c.args[0] !== 'version')).toEqual([]);
  });

  it('deploy of a present image loads it and deploys it into the kind context, without building', async () => {
    const tools = standIns(ALL, {
      ...cluster,
      images: ['incidents-service:0.1.0'],
      releases: releaseAt('0.2.0'),
    });
    const run = await cli(['deploy', 'v0.1.0'], tools);
    expect(run.output).not.toContain('error');
    expect(run.exitCode).toBe(0);
    expect(run.has('docker', 'build')).toBe(false);
    expect(run.has('kind', 'load', 'docker-image', 'incidents-service:0.1.0')).toBe(true);
    const upgrade = run.calls.find((c) => c.tool === 'helm' && c.args[0] === 'upgrade');
    expect(upgrade?.args).toEqual(
      expect.arrayContaining(['--kube-context', 'kind-incidents', '--namespace', 'incidents']),
    );
    expect(upgrade?.files.at(-1)?.text).toBe('image:\n  repository: incidents-service\n  tag: 0.1.0\n');
    expect(run.output).toContain('Replacing 0.2.0 (deployed)');
    expect(run.output).toMatch(/\[4\/4\] Deploying 0\.1\.0/);
  });

  it('deliver builds, loads and deploys, with a progress line per step', async () => {
    const tools = standIns(ALL, { ...cluster, images: [BASE], releases: releaseAt('0.1.0') }, true);
    const run = await cli(['deliver', '0.2.0'], tools);
    expect(run.output).not.toContain('error');
    expect(run.exitCode).toBe(0);
    expect(run.has('docker', 'build', '--tag', 'incidents-service:0.2.0')).toBe(true);
    expect(run.has('kind', 'load', 'docker-image', 'incidents-service:0.2.0', '--name', 'incidents')).toBe(
      true,
    );
    expect(run.has('helm', 'upgrade', '--install', 'incidents-service')).toBe(true);
    for (let n = 1; n <= 5; n++) expect(run.output).toContain(`[${n}/5]`);
    expect(run.output).toMatch(
      /revision 3 \(deployed\): incidents-service:0\.2\.0, pods ready 2\/2, helm test passed/,
    );
  });

  it('deliver refuses, before building, a base image that is not there and cannot be pulled, and names the fix', async () => {
    const tools = standIns(ALL, { ...cluster, releases: releaseAt('0.1.0') });
    const run = await cli(['deliver', '0.2.0'], tools);
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain(`the build's base image ${BASE} is not in Docker and cannot be pulled`);
    expect(run.output).toContain('no such host');
    expect(run.output).toContain('npm run base-image');
    expect(run.output).toContain('INCIDENTS_BASE_IMAGE=<that image>');
    expect(run.output).toContain('The cluster (kind cluster incidents) is up and was left running');
    expect(run.has('docker', 'pull', BASE)).toBe(true);
    expect(run.has('docker', 'build')).toBe(false);
    expect(run.calls.filter((c) => c.tool === 'helm' && c.args[0] !== 'version')).toEqual([]);
  });

  it('deliver builds on the base image INCIDENTS_BASE_IMAGE names, once Docker has it', async () => {
    const tools = standIns(ALL, { ...cluster, images: ['local-base:1'], releases: releaseAt('0.1.0') }, true);
    const run = await cli(['deliver', '0.2.0'], tools, { INCIDENTS_BASE_IMAGE: 'local-base:1' });
    expect(run.output).not.toContain('error');
    expect(run.has('docker', 'pull')).toBe(false);
    expect(run.has('docker', 'build', '--build-arg', 'BASE_IMAGE=local-base:1')).toBe(true);
  });

  it('deliver refuses when the cluster does not exist, before building', async () => {
    const tools = standIns(ALL, { ...cluster, clusters: [] });
    const run = await cli(['deliver', '0.2.0'], tools);
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain("kind cluster 'incidents' does not exist; create it with: npm run init");
    expect(run.has('docker', 'build')).toBe(false);
  });

  it('init never downgrades a newer running version', async () => {
    const tools = standIns(ALL, { ...cluster, releases: releaseAt('0.3.0') });
    const run = await cli(['init'], tools);
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(
      'A newer version is running (0.3.0, deployed); init never downgrades, so 0.1.0 is not deployed',
    );
    expect(run.has('docker', 'build')).toBe(false);
    expect(run.has('helm', 'upgrade')).toBe(false);
    expect(run.has('kind', 'create')).toBe(false);
  });

  it('init from nothing creates the cluster from kind-config.yaml, builds, loads and deploys the appVersion', async () => {
    const tools = standIns(
      ALL,
      { helmVersion: TOOL_PINS.helm.version, clusters: [], pullable: [BASE] },
      true,
    );
    const run = await cli(['init'], tools);
    expect(run.output).not.toContain('error');
    expect(run.exitCode).toBe(0);
    expect(
      run.has(
        'kind',
        'create',
        'cluster',
        '--name',
        'incidents',
        '--config',
        path.join(ROOT, 'kind-config.yaml'),
      ),
    ).toBe(true);
    expect(run.has('docker', 'pull', BASE)).toBe(true);
    expect(run.has('docker', 'build', '--tag', 'incidents-service:0.1.0')).toBe(true);
    expect(run.has('kind', 'load', 'docker-image', 'incidents-service:0.1.0')).toBe(true);
    expect(tools.state<StandInState>().releases?.['incidents-service'].history).toHaveLength(1);
  });

  it('init installs a missing kind from the release mirror, checksum verified, then uses it', async () => {
    const tools = standIns(['docker', 'helm', 'kubectl'], { ...cluster, releases: releaseAt('0.1.0') });
    // The "release binary" is a kind stand-in: served, verified, installed and then run by the CLI.
    const kind = standIns(['kind'], {});
    const binary = readFileSync(path.join(kind.binDir, 'kind'));
    const digest = createHash('sha256').update(binary).digest('hex');
    const asset = kindAssetName(process.platform, process.arch);
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url === `/v0.31.0/${asset}`) res.end(binary);
      else if (req.url === `/v0.31.0/${asset}.sha256sum`) res.end(`${digest}  ${asset}\n`);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await cli(['init'], tools, { KIND_DOWNLOAD_BASE_URL: base });
      expect(run.output).not.toContain('error');
      expect(run.exitCode).toBe(0);
      expect(served).toEqual([`/v0.31.0/${asset}.sha256sum`, `/v0.31.0/${asset}`]);
      expect(run.output).toContain(`Installed kind v0.31.0 at ${path.join(run.toolsDir, 'kind')}`);
      // The installed kind answered the cluster check.
      expect(run.has('kind', 'get', 'clusters')).toBe(true);
      expect(run.output).toContain('0.1.0 is already deployed');
    } finally {
      server.close();
    }
  });
});
