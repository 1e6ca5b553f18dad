import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIN_MASKED_LENGTH } from './deploy-values.js';
import { ActionError } from './errors.js';
import { log } from './log.js';
import { meaningfulLine, runTool } from './process.js';
import { locateTool, TOOL_PINS, ToolNotInstalledError } from './tools.js';

/**
 * A small typed cosign client: build-image signs the digest it pushed, helm-deploy verifies an image
 * before it installs anything and deploys the digest that verified. Arguments are arrays (no shell);
 * keys reach cosign as files and the key's password through COSIGN_PASSWORD, masked, never argv.
 * cosign reads registry credentials from Docker's config, as `docker push` does.
 */

/** Who must have signed: the holder of a key pair, or (keyless) a certificate identity and its issuer. */
export type SignerIdentity =
  | { keyFile: string }
  | {
      /** The certificate's subject, e.g. the workflow: `https://github.com/OWNER/REPO/.github/workflows/deliver.yml@refs/heads/main`. */
      certificateIdentity: string;
      /** `https://token.actions.githubusercontent.com` for GitHub Actions. */
      oidcIssuer: string;
    };

export interface SignOptions {
  /** Private key file (cosign's encrypted PEM); absent means keyless, through the workflow's OIDC token. */
  keyFile?: string;
  password?: string;
}

export interface CosignClientOptions {
  /**
   * Record signatures in Sigstore's public transparency log (Rekor) and require them there on
   * verification; default true. Turned off, signing passes `--tlog-upload=false` and verifying
   * `--insecure-ignore-tlog=true`: for a key pair kept private, or where Rekor cannot be reached
   * (the tests here have no transparency log offline). Keyless signing needs the log.
   */
  transparencyLog?: boolean;
  /** The cosign executable; default the pinned one, on PATH or from `npm run tools`. */
  binary?: string;
  /** Added to cosign's environment (tests point DOCKER_CONFIG or TUF_ROOT somewhere private). */
  env?: Record<string, string | undefined>;
}

export interface VerifiedImage {
  /** The manifest digest whose signature verified (sha256:...): deploy this, not the tag. */
  digest: string;
  /** How many signatures on it verified. */
  signatures: number;
}

/** A signature that is missing, made by someone else, or not over the image asked for. */
export class SignatureVerificationError extends ActionError {
  override readonly name = 'SignatureVerificationError';
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class CosignClient {
  private readonly transparencyLog: boolean;

  constructor(private readonly options: CosignClientOptions = {}) {
    this.transparencyLog = options.transparencyLog ?? true;
  }

  /** Signs an image by digest (REPOSITORY@sha256:...) and pushes the signature beside it. */
  async sign(imageDigestRef: string, options: SignOptions = {}): Promise<void> {
    if (!/@sha256:[0-9a-f]{64}$/.test(imageDigestRef))
      throw new ActionError(
        `cosign sign: '${imageDigestRef}' is not a reference by digest; sign REPOSITORY@sha256:... so the signature covers one build, never whatever a tag points at`,
      );
    if (!options.keyFile && !this.transparencyLog)
      throw new ActionError(
        'cosign sign: keyless signing needs the transparency log; give a key, or leave the log on',
      );
    const args = ['sign', '--yes'];
    if (options.keyFile) args.push('--key', options.keyFile);
    // No transparency log here: these flags skip the upload to it. cosign 3 otherwise reads Sigstore's
    // signing config (over the network, through TUF), which names the log, and refuses to skip it.
    if (!this.transparencyLog) args.push('--tlog-upload=false', '--use-signing-config=false');
    args.push(imageDigestRef);
    await runTool(await this.binary(), args, {
      env: this.env({ COSIGN_PASSWORD: options.password ?? '' }),
      secrets: options.password ? [options.password] : [],
      timeoutMs: 5 * 60_000,
    });
  }

  /**
   * Verifies the signature on an image (by tag or digest) against a signer and returns the digest
   * that verified. Throws `SignatureVerificationError` with cosign's reason when none does.
   */
  async verify(imageRef: string, signer: SignerIdentity): Promise<VerifiedImage> {
    const args = ['verify', '--output', 'json'];
    if ('keyFile' in signer) args.push('--key', signer.keyFile);
    else
      args.push(
        '--certificate-identity',
        signer.certificateIdentity,
        '--certificate-oidc-issuer',
        signer.oidcIssuer,
      );
    // No transparency log here: this flag skips the check that the signature was recorded in it.
    if (!this.transparencyLog) args.push('--insecure-ignore-tlog=true');
    args.push(imageRef);
    const result = await runTool(await this.binary(), args, {
      env: this.env(),
      allowFailure: true,
      timeoutMs: 5 * 60_000,
    });
    if (result.exitCode !== 0)
      throw new SignatureVerificationError(
        `the signature of ${imageRef} did not verify against ${describeSigner(signer)}: ${meaningfulLine(result.stderr, result.stdout)}`,
      );
    return parseVerified(imageRef, result.stdout);
  }

  private env(extra: Record<string, string> = {}): Record<string, string | undefined> {
    return { ...this.options.env, ...extra };
  }

  private async binary(): Promise<string> {
    if (this.options.binary) return this.options.binary;
    try {
      return await locateTool('cosign');
    } catch (error) {
      if (!(error instanceof ToolNotInstalledError)) throw error;
      throw new ToolNotInstalledError(
        'cosign',
        `${error.message} In a workflow, install cosign ${TOOL_PINS.cosign.version} on PATH before this step.`,
      );
    }
  }
}

export function describeSigner(signer: SignerIdentity): string {
  return 'keyFile' in signer
    ? 'the public key given'
    : `identity ${signer.certificateIdentity} from issuer ${signer.oidcIssuer}`;
}

/**
 * The digest out of `cosign verify --output json`: one entry per verified signature, each naming the
 * manifest digest it covers. Every entry must name the same one, and (for a digest reference) the one
 * asked for: a tag is resolved by cosign once, and that digest is what gets deployed.
 */
export function parseVerified(imageRef: string, stdout: string): VerifiedImage {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout.slice(stdout.indexOf('[')));
  } catch {
    throw new SignatureVerificationError(
      `cosign verify printed no JSON for ${imageRef}: ${stdout.slice(0, 200)}`,
    );
  }
  const digests = new Set(
    (Array.isArray(entries) ? entries : []).map(
      (e) =>
        (e as { critical?: { image?: Record<string, unknown> } }).critical?.image?.['docker-manifest-digest'],
    ),
  );
  const [digest] = [...digests];
  if (digests.size !== 1 || typeof digest !== 'string' || !DIGEST.test(digest))
    throw new SignatureVerificationError(
      `cosign verify of ${imageRef} reported ${digests.size === 0 ? 'no signature' : `digests ${[...digests].join(', ')}`}, not one manifest digest`,
    );
  const asked = /@(sha256:[0-9a-f]{64})$/.exec(imageRef)?.[1];
  if (asked && asked !== digest)
    throw new SignatureVerificationError(`cosign verified ${digest}, not the ${asked} asked for`);
  return { digest, signatures: (entries as unknown[]).length };
}

/**
 * Runs `use` with a PEM (a key given as an input) in a file only we can read (0600 in a 0700
 * directory), gone afterwards. A private key is masked first, line by line, since the runner masks
 * single lines; its BEGIN/END lines name no secret and stay readable.
 */
export async function withKeyFile<T>(
  pem: string,
  use: (file: string) => Promise<T>,
  { secret }: { secret: boolean },
): Promise<T> {
  if (secret)
    for (const line of pem.split(/\r?\n/).map((l) => l.trim()))
      if (line.length >= MIN_MASKED_LENGTH && !line.startsWith('-----')) log().setSecret(line);
  const dir = await mkdtemp(path.join(tmpdir(), 'cosign-key-'));
  try {
    await chmod(dir, 0o700);
    const file = path.join(dir, 'cosign.key');
    await writeFile(file, pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
