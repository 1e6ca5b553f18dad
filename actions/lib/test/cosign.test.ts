import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CosignClient, parseVerified, SignatureVerificationError, withKeyFile } from '../src/cosign.js';

/**
 * What the cosign client decides on its own, without cosign: which digest a verification output
 * names, what it refuses to sign, and how a key given as text reaches cosign. Signing and verifying
 * with the real cosign against a registry is actions/helm-deploy/test/verify.e2e.test.ts.
 */

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const entry = (digest: string) => ({
  critical: {
    identity: { 'docker-reference': 'r' },
    image: { 'docker-manifest-digest': digest },
    type: 'cosign container image signature',
  },
  optional: null,
});

describe('parseVerified', () => {
  it("returns the one digest cosign's verified signatures name, after any text before the JSON", () => {
    const stdout = `\nVerification for r:1 --\n${JSON.stringify([entry(A), entry(A)])}`;
    expect(parseVerified('r:1', stdout)).toEqual({ digest: A, signatures: 2 });
  });

  it('refuses signatures over two different digests, none at all, and a digest other than the one asked for', () => {
    expect(() => parseVerified('r:1', JSON.stringify([entry(A), entry(B)]))).toThrow(
      SignatureVerificationError,
    );
    expect(() => parseVerified('r:1', '[]')).toThrow(/reported no signature/);
    expect(() => parseVerified(`r@${B}`, JSON.stringify([entry(A)]))).toThrow(
      `verified ${A}, not the ${B} asked for`,
    );
    expect(() => parseVerified('r:1', 'not json')).toThrow(/printed no JSON/);
  });
});

describe('CosignClient.sign', () => {
  it('signs only a reference by digest, and keyless only with the transparency log', async () => {
    const cosign = new CosignClient({ binary: '/nonexistent/cosign', transparencyLog: false });
    await expect(cosign.sign('registry/acme/app:1.0.0', { keyFile: 'k' })).rejects.toThrow(
      /not a reference by digest/,
    );
    await expect(cosign.sign(`registry/acme/app@${A}`)).rejects.toThrow(
      /keyless signing needs the transparency log/,
    );
  });
});

describe('withKeyFile', () => {
  it('hands cosign a 0600 file in a private folder with the PEM, and removes it afterwards', async () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
    let seen = '';
    await withKeyFile(
      pem,
      async (file) => {
        seen = file;
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
        expect(readFileSync(file, 'utf8')).toBe(`${pem}\n`);
      },
      { secret: false },
    );
    expect(seen).not.toBe('');
    expect(existsSync(path.dirname(seen))).toBe(false);
  });
});
