import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CosignClient, SignatureVerificationError } from '@incidents-pipeline/actions-lib/cosign';
import { DockerClient } from '@incidents-pipeline/actions-lib/docker';
import { createConsoleLog, useLog } from '@incidents-pipeline/actions-lib/log';
import { runTool } from '@incidents-pipeline/actions-lib/process';
import { locateTool } from '@incidents-pipeline/actions-lib/tools';
import { runBundle, tempDir } from '@incidents-pipeline/test-support/action-env';
import { requireDocker } from '@incidents-pipeline/test-support/containers';
import { REPO_ROOT as REPO } from '@incidents-pipeline/test-support/repository';
import { createStandIns } from '@incidents-pipeline/test-support/stand-in-tools';
import { startTestRegistry, type TestRegistry } from '@incidents-pipeline/devtools/registry/registry';
import { clusterWithRelease } from './fixtures.js';

/**
 * Signed images, verified before a deploy, with the real cosign (the pin, from `npm run tools`) against
 * the real registry on loopback and key pairs made by `cosign generate-key-pair`. There is no
 * transparency log offline: images are signed with `--tlog-upload=false` and verified with
 * `--insecure-ignore-tlog=true` (the `transparency-log: false` inputs); everything else is cosign's
 * own check of the signature against the key and the registry's manifest digest.
 *
 * The helm half uses the stand-in helm: no cluster runs in this layer, and what is proved here is
 * whether helm was called at all and with which digest, which the stand-in records exactly. That a
 * chart given image.digest runs the image by digest is chart-render.test.ts's part.
 */

const REPOSITORY = 'acme/incidents-service';
const PASSWORD = 'correct-horse-battery';

const docker = new DockerClient();
let registry: TestRegistry;
let work: { dir: string; cleanup: () => void };
let cosignBinary: string;
let publicKey: string;
/** The digest the moved tag named when it was signed. */
let signedBeforeTheMove: string;
/** Each test's image: its tag and the digest the registry gave it when it was pushed. */
const images: Record<'signed' | 'unsigned' | 'otherKey' | 'moved', { ref: string; digest: string }> =
  {} as never;

const quiet = { group: false as const };
const cosign = () => new CosignClient({ transparencyLog: false, env: { COSIGN_PASSWORD: PASSWORD } });

/** A one-layer image of its own (FROM scratch, one file), pushed to the registry; returns its digest. */
async function pushImage(tag: string, content: string): Promise<{ ref: string; digest: string }> {
  const context = path.join(work.dir, `context-${tag}`);
  await runTool('mkdir', ['-p', context], quiet);
  writeFileSync(path.join(context, 'content.txt'), content);
  writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY content.txt /\n');
  const ref = `${registry.host}/${REPOSITORY}:${tag}`;
  await runTool('docker', ['build', '--quiet', '--tag', ref, context], quiet);
  await runTool('docker', ['push', '--quiet', ref], quiet);
  const digest = await registry.manifestDigest(REPOSITORY, tag);
  if (!digest) throw new Error(`the registry has no manifest for ${ref}`);
  return { ref, digest };
}

async function generateKeyPair(prefix: string): Promise<{ key: string; pub: string }> {
  await runTool(cosignBinary, ['generate-key-pair', '--output-key-prefix', prefix], {
    ...quiet,
    cwd: work.dir,
    env: { COSIGN_PASSWORD: PASSWORD },
  });
  return { key: path.join(work.dir, `${prefix}.key`), pub: path.join(work.dir, `${prefix}.pub`) };
}

const digestRef = (image: { ref: string; digest: string }) =>
  `${image.ref.slice(0, image.ref.lastIndexOf(':'))}@${image.digest}`;

beforeAll(async () => {
  useLog(createConsoleLog());
  await requireDocker(docker);
  cosignBinary = await locateTool('cosign');
  registry = await startTestRegistry();
  work = tempDir('cosign-e2e-');

  const ours = await generateKeyPair('ours');
  const theirs = await generateKeyPair('theirs');
  publicKey = readFileSync(ours.pub, 'utf8');

  const started = Date.now();
  images.signed = await pushImage('1.0.0', 'signed');
  images.unsigned = await pushImage('1.0.1', 'unsigned');
  images.otherKey = await pushImage('1.0.2', 'signed by another key');
  images.moved = await pushImage('1.0.3', 'signed, then its tag moved');
  const pushMs = Date.now() - started;

  const signStarted = Date.now();
  await cosign().sign(digestRef(images.signed), { keyFile: ours.key, password: PASSWORD });
  const signMs = Date.now() - signStarted;
  await cosign().sign(digestRef(images.otherKey), { keyFile: theirs.key, password: PASSWORD });
  await cosign().sign(digestRef(images.moved), { keyFile: ours.key, password: PASSWORD });
  // The tag now names a build nobody signed: same tag, new content, new digest.
  signedBeforeTheMove = images.moved.digest;
  images.moved = await pushImage('1.0.3', 'pushed over the signed tag');
  expect(images.moved.digest).not.toBe(signedBeforeTheMove);
  console.log(
    `4 images pushed in ${pushMs} ms; one cosign sign (key, no transparency log) took ${signMs} ms`,
  );
}, 5 * 60_000);

afterAll(async () => {
  await registry?.stop();
  work?.cleanup();
});

describe('CosignClient against the loopback registry', () => {
  it('verifies an image signed with the key and returns the digest that was signed', async () => {
    const started = Date.now();
    const verified = await cosign().verify(images.signed.ref, { keyFile: path.join(work.dir, 'ours.pub') });
    console.log(`cosign verify by tag took ${Date.now() - started} ms`);
    expect(verified).toEqual({ digest: images.signed.digest, signatures: 1 });
  });

  it.each([
    ['an unsigned image', 'unsigned', /: no signatures found$/],
    [
      'an image signed with another key',
      'otherKey',
      /: failed to verify signature: could not verify envelope: /,
    ],
    ['a tag moved to another digest after signing', 'moved', /: no signatures found$/],
  ] as const)('refuses %s', async (_what, which, reason) => {
    const error = await cosign()
      .verify(images[which].ref, { keyFile: path.join(work.dir, 'ours.pub') })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(String(error)).toMatch(reason);
  });

  it("still verifies the moved tag's signed build by its digest: the signature is there, the tag left it", async () => {
    const ref = `${registry.host}/${REPOSITORY}@${signedBeforeTheMove}`;
    const verified = await cosign().verify(ref, { keyFile: path.join(work.dir, 'ours.pub') });
    expect(verified.digest).toBe(signedBeforeTheMove);
  });
});

describe('helm-deploy bundle with verify-key', () => {
  const BUNDLE = path.join(REPO, 'actions/helm-deploy/dist/index.js');

  async function deploy(image: { ref: string }) {
    const tools = createStandIns(['helm', 'kubectl'], clusterWithRelease('v4.3.2'));
    try {
      const tag = image.ref.slice(image.ref.lastIndexOf(':') + 1);
      const run = await runBundle(
        BUNDLE,
        {
          'image-repository': `${registry.host}/${REPOSITORY}`,
          'image-tag': tag,
          'verify-key': publicKey,
          'transparency-log': 'false',
          'smoke-test': 'none',
        },
        tools.env,
        { timeoutMs: 120_000 },
      );
      return { run, helm: tools.calls('helm') };
    } finally {
      tools.cleanup();
    }
  }

  it('deploys a signed image by the digest that verified', async () => {
    const { run, helm } = await deploy(images.signed);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const upgrade = helm.find((c) => c.args[0] === 'upgrade');
    expect(upgrade?.files.at(-1)?.text).toBe(
      `image:\n  repository: ${registry.host}/${REPOSITORY}\n  tag: 1.0.0\n  digest: ${images.signed.digest}\n`,
    );
    expect(run.summary).toContain(`${REPOSITORY}:1.0.0@${images.signed.digest}`);
  });

  it.each([
    ['an unsigned image', 'unsigned', 'no signatures found'],
    ['an image signed with another key', 'otherKey', 'failed to verify signature'],
    ['a tag moved to another digest after signing', 'moved', 'no signatures found'],
  ] as const)('refuses %s with the reason, and never calls helm', async (_what, which, reason) => {
    const { run, helm } = await deploy(images[which]);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^the signature of ${registry.host}/${REPOSITORY}:1\\.0\\.\\d did not verify against the public key given: .*${reason}`,
        ),
      ),
    ]);
    expect(helm).toEqual([]);
  });
});
