import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { requireDocker } from '@incidents-pipeline/test-support/containers';
import { createConsoleLog, useLog } from '@incidents-pipeline/actions-lib/log';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import { runBundle, type ActionRun } from '@incidents-pipeline/test-support/action-env';
import { startTestRegistry, type TestRegistry } from '@incidents-pipeline/devtools/registry/registry';
import { ensureTestBaseImage } from '@incidents-pipeline/devtools/base-image/base-image';
import { REPO_ROOT as REPO } from '@incidents-pipeline/test-support/repository';
import { tempDir } from '@incidents-pipeline/test-support/action-env';
import { CosignClient } from '@incidents-pipeline/actions-lib/cosign';
import { locateTool } from '@incidents-pipeline/actions-lib/tools';

/**
 * Publishing, end to end: the committed build-image bundle pushes to a real registry on loopback
 * (GHCR's part), and what the registry stored is read back through its own API, not through docker.
 * A digest output that names another manifest than the registry's would make a lasting environment
 * pull the wrong image (deploy.yml deploys by digest), so the two are compared here.
 */

const BUNDLE = path.join(REPO, 'actions/build-image/dist/index.js');
const OWNER = 'acme';
const KEY_PASSWORD = 'push-e2e-key-password';
const VERSION = '1.2.4';

const docker = new DockerClient();
let registry: TestRegistry;
let pushed: ActionRun;
let pushMs: number;
let head: string;
let keys: { dir: string; cleanup: () => void };

const run = (args: string[]) => runTool('docker', args, { group: false, allowFailure: true });

beforeAll(async () => {
  useLog(createConsoleLog());
  await requireDocker(docker);
  await runTool('npm', ['run', 'build', '-w', 'service'], { cwd: REPO, group: false });
  head = (await runTool('git', ['rev-parse', 'HEAD'], { cwd: REPO, group: false })).stdout.trim();
  const base = await ensureTestBaseImage((line) => console.log(line));

  registry = await startTestRegistry();
  // A key pair of cosign's own making; the signature stays out of the transparency log, which does
  // not exist offline (transparency-log: false skips it).
  keys = tempDir('push-e2e-keys-');
  await runTool(await locateTool('cosign'), ['generate-key-pair'], {
    cwd: keys.dir,
    env: { COSIGN_PASSWORD: KEY_PASSWORD },
    group: false,
  });
  const started = Date.now();
  pushed = await runBundle(
    BUNDLE,
    {
      version: VERSION,
      context: 'service',
      'build-args': `BASE_IMAGE=${base.image}`,
      // Upper case on purpose: owners often have some, and registries refuse it in repository names.
      registry: `${registry.host}/${OWNER.toUpperCase()}`,
      push: true,
      'sign-key': readFileSync(path.join(keys.dir, 'cosign.key'), 'utf8'),
      'sign-key-password': KEY_PASSWORD,
      'transparency-log': false,
    },
    {},
    { cwd: REPO, timeoutMs: 10 * 60_000 },
  );
  pushMs = Date.now() - started;
});

afterAll(async () => {
  await registry?.stop();
  keys?.cleanup();
});

describe('build-image bundle pushing to a real registry', () => {
  const repository = `${OWNER}/incidents-service`;

  it('pushes every tag it reports', async () => {
    if (pushed.exitCode !== 0)
      throw new Error(`push failed: ${pushed.errors.join('\n')}\n${pushed.stdout.slice(-3000)}`);
    expect(pushed.outputs.image).toBe(`${registry.host}/${repository}`);
    const reported = pushed.outputs.tags.split('\n');
    expect(reported).toEqual(
      ['1.2.4', '1.2', '1', `sha-${head.slice(0, 7)}`].map((t) => `${registry.host}/${repository}:${t}`),
    );
    // Besides them, cosign's signature: an OCI artifact under the tag the digest names (sha256-HEX).
    const signature = `${pushed.outputs.digest.replace(':', '-')}`;
    expect(await registry.tags(repository)).toEqual(
      [...reported.map((t) => t.split(':').at(-1)), signature].sort(),
    );
  });

  it("reports the registry's manifest digest of the version tag", async () => {
    const digest = await registry.manifestDigest(repository, VERSION);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed.outputs.digest).toBe(digest);
    expect(pushed.summary).toContain(`${registry.host}/${repository}@${digest}`);
    const size = (await docker.inspectImage(pushed.outputs['image-id'])).sizeBytes;
    const buildSeconds = Number(/Build time<\/td><td>([\d.]+) s/.exec(pushed.summary)?.[1]);
    console.log(
      `registry on ${registry.host} started in ${registry.startMs} ms; the action took ` +
        `${(pushMs / 1000).toFixed(1)} s, of which docker build ${buildSeconds} s and pushing 4 tags ` +
        `about ${(pushMs / 1000 - buildSeconds).toFixed(1)} s; image ${(size / 1e6).toFixed(1)} MB`,
    );
  });

  it('signs that digest with the key given, and cosign verifies it against the public key', async () => {
    expect(pushed.outputs.signed).toBe('true');
    expect(pushed.summary).toContain('not recorded in a transparency log');
    const cosign = new CosignClient({ transparencyLog: false });
    const verified = await cosign.verify(`${registry.host}/${repository}:${VERSION}`, {
      keyFile: path.join(keys.dir, 'cosign.pub'),
    });
    expect(verified.digest).toBe(pushed.outputs.digest);
    // The private key and its password are masked before cosign runs, and appear in no other line.
    const key = readFileSync(path.join(keys.dir, 'cosign.key'), 'utf8').split('\n')[1];
    expect(pushed.stdout).toContain(`::add-mask::${key}`);
    expect(pushed.stdout).toContain(`::add-mask::${KEY_PASSWORD}`);
    const logged = pushed.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(logged.filter((l) => l.includes(key) || l.includes(KEY_PASSWORD))).toEqual([]);
  });

  it('serves the image by that digest once the local tags are gone', async () => {
    const byDigest = `${registry.host}/${repository}@${pushed.outputs.digest}`;
    for (const tag of pushed.outputs.tags.split('\n')) {
      expect((await run(['image', 'rm', tag])).exitCode).toBe(0);
    }
    // With its tags removed the image may remain as the base of others; only its digest name must go.
    await run(['image', 'rm', byDigest]);
    expect(await docker.imageExists(byDigest)).toBe(false);
    const pull = await run(['pull', byDigest]);
    expect(pull.exitCode).toBe(0);
    expect((await docker.inspectImage(byDigest)).id).toBe(pushed.outputs['image-id']);
    await run(['image', 'rm', byDigest]);
  });
});
