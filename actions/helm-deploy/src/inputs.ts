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
  };
}
