import { InputError } from '@incidents-pipeline/actions-lib/errors';
import { parseGoDuration } from '@incidents-pipeline/actions-lib/helm';
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
  kubeContext?: string;
  smokeTest: SmokeTest;
}

/** DNS-1123 label: what Kubernetes accepts for a namespace, and Helm (up to 53 chars) for a release. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function name(input: string, fallback: string, maxLength: number): string {
  const value = getOptional(input) ?? fallback;
  if (!DNS_LABEL.test(value) || value.length > maxLength) {
    throw new InputError(
      input,
      `'${value}' must be lowercase letters, digits and '-', at most ${maxLength} characters`,
    );
  }
  return value;
}

function singleLine(input: string): string | undefined {
  const value = getOptional(input);
  return value === undefined ? undefined : assertSingleLine(input, value);
}

export function getInputs(): Inputs {
  const timeout = getOptional('timeout') ?? '5m';
  if (parseGoDuration(timeout) === undefined) {
    throw new InputError('timeout', `'${timeout}' is not a duration such as 5m, 300s or 1m30s`);
  }
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
    release: name('release', 'incidents-service', 53),
    chart: assertSingleLine('chart', getOptional('chart') ?? './chart'),
    namespace: name('namespace', 'incidents', 63),
    createNamespace: getBoolean('create-namespace', true),
    imageRepository,
    imageTag,
    values: values.trim() === '' ? undefined : values,
    valuesFiles: getList('values-files').map((f) => assertSingleLine('values-files', f)),
    set: parseKeyValueLines('set', getLines('set')),
    timeout,
    wait: getBoolean('wait', true),
    rollbackOnFailure: getBoolean('rollback-on-failure', true),
    kubeContext: singleLine('kube-context'),
    smokeTest: getChoice('smoke-test', ['helm', 'http', 'none'] as const, 'helm'),
  };
}
