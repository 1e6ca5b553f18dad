import { InputError } from '@incidents-pipeline/actions-lib/errors';
import {
  assertSingleLine,
  getBoolean,
  getLines,
  getOptional,
  getRequired,
  parseKeyValueLines,
} from '@incidents-pipeline/actions-lib/inputs';
import type { KeyValue } from '@incidents-pipeline/actions-lib/image';
import { parseVersion } from '@incidents-pipeline/actions-lib/version';
import * as core from '@actions/core';

export interface Inputs {
  image: string;
  version: string;
  context: string;
  dockerfile?: string;
  buildArgs: KeyValue[];
  labels: KeyValue[];
  push: boolean;
  registry?: string;
  kindCluster?: string;
  /** Commit-ish the sources come from; default the commit checked out. */
  revision?: string;
  /** A cosign private key (PEM) to sign the pushed digest with; needs push. */
  signKey?: string;
  signKeyPassword?: string;
  transparencyLog: boolean;
}

const BUILD_ARG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KIND_CLUSTER = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** Every input, validated before anything runs: a bad version or a push without registry stops here. */
export function getInputs(): Inputs {
  const version = getRequired('version');
  parseVersion(version, { input: 'version' });

  const push = getBoolean('push', false);
  const registry = getOptional('registry');
  if (push && !registry) {
    throw new InputError('registry', 'is required when push is true (e.g. ghcr.io/owner)');
  }

  const kindCluster = getOptional('kind-cluster');
  if (kindCluster !== undefined && !KIND_CLUSTER.test(kindCluster)) {
    throw new InputError('kind-cluster', `'${kindCluster}' is not a kind cluster name`);
  }

  const signKey = getOptional('sign-key');
  const signKeyPassword = getOptional('sign-key-password');
  // Masked before anything can log them; the key itself is masked line by line when it is written out.
  if (signKeyPassword) core.setSecret(signKeyPassword);
  if (signKey !== undefined && !push) {
    throw new InputError('sign-key', 'signs the pushed digest, so it needs push: true');
  }
  if (signKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(signKey)) {
    throw new InputError('sign-key', 'is not a PEM private key (cosign generate-key-pair writes cosign.key)');
  }

  const dockerfile = getOptional('dockerfile');
  const revision = getOptional('revision');
  return {
    image: assertSingleLine('image', getOptional('image') ?? 'incidents-service'),
    version,
    context: assertSingleLine('context', getOptional('context') ?? 'service'),
    dockerfile: dockerfile === undefined ? undefined : assertSingleLine('dockerfile', dockerfile),
    buildArgs: parseKeyValueLines('build-args', getLines('build-args'), BUILD_ARG_KEY),
    labels: parseKeyValueLines('labels', getLines('labels')),
    push,
    registry,
    kindCluster,
    revision: revision === undefined ? undefined : assertSingleLine('revision', revision),
    signKey,
    signKeyPassword,
    transparencyLog: getBoolean('transparency-log', true),
  };
}
