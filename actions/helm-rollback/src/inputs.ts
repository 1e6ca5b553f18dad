import {
  getBoolean,
  getChoice,
  getInteger,
  getOptional,
  assertSingleLine,
} from '@incidents-pipeline/actions-lib/inputs';
import {
  getFailFastAfter,
  getHelmTimeout,
  getNamespace,
  getReleaseName,
} from '@incidents-pipeline/actions-lib/release-inputs';
import type { SmokeTest } from '@incidents-pipeline/actions-lib/smoke-test';

export interface Inputs {
  release: string;
  namespace: string;
  /** Undefined: the last revision that served before the current one. */
  revision?: number;
  timeout: string;
  wait: boolean;
  /** ms; 0: wait for Helm alone. */
  failFastAfterMs: number;
  kubeContext?: string;
  smokeTest: SmokeTest;
}

export function getInputs(): Inputs {
  const kubeContext = getOptional('kube-context');
  const revision = getOptional('revision') === undefined ? undefined : getInteger('revision', 0, { min: 1 });
  return {
    release: getReleaseName(),
    namespace: getNamespace(),
    revision,
    timeout: getHelmTimeout(),
    wait: getBoolean('wait', true),
    failFastAfterMs: getFailFastAfter(),
    kubeContext: kubeContext === undefined ? undefined : assertSingleLine('kube-context', kubeContext),
    smokeTest: getChoice('smoke-test', ['helm', 'http', 'none'] as const, 'helm'),
  };
}
