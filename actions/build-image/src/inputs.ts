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
  };
}
