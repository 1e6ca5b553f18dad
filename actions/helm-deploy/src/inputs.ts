import { InputError } from '@incidents-pipeline/actions-lib/errors';
import {
  assertSingleLine,
  getBoolean,
  getChoice,
  getLines,
  getList,
  getOptional,
  parseKeyValueLines,
} from '@incidents-pipeline/actions-lib/inputs';
import type { SmokeTest } from '@incidents-pipeline/actions-lib/deploy';
import {
  getFailFastAfter,
  getHelmTimeout,
  getNamespace,
  getReleaseName,
} from '@incidents-pipeline/actions-lib/release-inputs';
import * as core from '@actions/core';

export interface Inputs {
  release: string;
  chart: string;
  namespace: string;
  createNamespace: boolean;
  imageRepository?: string;
  imageTag?: string;
  values?: string;
  valuesFiles: string[];
  set: { key: string; value: string }[];
  timeout: string;
  wait: boolean;
  rollbackOnFailure: boolean;
  refuseDowngrade: boolean;
  /** ms; 0: wait for Helm alone. */
  failFastAfterMs: number;
  kubeContext?: string;
  smokeTest: SmokeTest;
  /** Verify the image's signature before anything is installed, and deploy the digest that verified. */
  verify?: VerifyInputs;
}

export interface VerifyInputs {
  /** A public key (PEM), or a keyless identity with its OIDC issuer. */
  signer: { publicKey: string } | { certificateIdentity: string; oidcIssuer: string };
  transparencyLog: boolean;
}

function singleLine(input: string): string | undefined {
  const value = getOptional(input);
  return value === undefined ? undefined : assertSingleLine(input, value);
}

export function getInputs(): Inputs {
  const timeout = getHelmTimeout();
  const imageTag = singleLine('image-tag');
  if (imageTag !== undefined && !/^[\w][\w.-]{0,127}$/.test(imageTag)) {
    throw new InputError('image-tag', `'${imageTag}' is not a valid image tag`);
  }
  const imageRepository = singleLine('image-repository');
  if (
    imageRepository !== undefined &&
    !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:[:/][\w.-]+)*$/.test(imageRepository)
  ) {
    throw new InputError('image-repository', `'${imageRepository}' is not a valid image repository`);
  }
  const verify = getVerifyInputs(imageRepository, imageTag);
  // Read raw: getInput trims, which is harmless for YAML, but the text is never echoed.
  const values = core.getInput('values', { trimWhitespace: false });
  return {
    release: getReleaseName(),
    chart: assertSingleLine('chart', getOptional('chart') ?? './chart'),
    namespace: getNamespace(),
    createNamespace: getBoolean('create-namespace', true),
    imageRepository,
    imageTag,
    values: values.trim() === '' ? undefined : values,
    valuesFiles: getList('values-files').map((f) => assertSingleLine('values-files', f)),
    set: parseKeyValueLines('set', getLines('set')),
    timeout,
    wait: getBoolean('wait', true),
    rollbackOnFailure: getBoolean('rollback-on-failure', true),
    refuseDowngrade: getBoolean('refuse-downgrade', false),
    failFastAfterMs: getFailFastAfter(),
    kubeContext: singleLine('kube-context'),
    smokeTest: getChoice('smoke-test', ['helm', 'http', 'none'] as const, 'helm'),
    verify,
  };
}

/** The signer an image must verify against, or undefined when verification is off (the default). */
function getVerifyInputs(imageRepository?: string, imageTag?: string): VerifyInputs | undefined {
  const publicKey = getOptional('verify-key');
  const certificateIdentity = singleLine('verify-identity');
  const oidcIssuer = singleLine('verify-oidc-issuer');
  const transparencyLog = getBoolean('transparency-log', true);
  if (publicKey === undefined && certificateIdentity === undefined && oidcIssuer === undefined)
    return undefined;
  if (publicKey !== undefined && (certificateIdentity !== undefined || oidcIssuer !== undefined))
    throw new InputError(
      'verify-key',
      'and verify-identity are two ways to name the signer: give one of them',
    );
  if (publicKey !== undefined && !/-----BEGIN PUBLIC KEY-----/.test(publicKey))
    throw new InputError(
      'verify-key',
      'is not a PEM public key (cosign generate-key-pair writes cosign.pub)',
    );
  if (publicKey === undefined && (certificateIdentity === undefined || oidcIssuer === undefined))
    throw new InputError(
      certificateIdentity === undefined ? 'verify-identity' : 'verify-oidc-issuer',
      'is needed too: keyless verification names both the identity and its OIDC issuer',
    );
  if (imageRepository === undefined || imageTag === undefined)
    throw new InputError(
      imageRepository === undefined ? 'image-repository' : 'image-tag',
      'is required to verify a signature: the image verified is the one deployed',
    );
  return {
    signer:
      publicKey !== undefined
        ? { publicKey }
        : { certificateIdentity: certificateIdentity!, oidcIssuer: oidcIssuer! },
    transparencyLog,
  };
}
