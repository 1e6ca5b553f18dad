import { assertSingleLine, getInteger, getOptional } from '@incidents-pipeline/actions-lib/inputs';
import { getNamespace, getReleaseName } from '@incidents-pipeline/actions-lib/release-inputs';

export interface Inputs {
  release: string;
  namespace: string;
  history: number;
  kubeContext?: string;
}

export function getInputs(): Inputs {
  const kubeContext = getOptional('kube-context');
  return {
    release: getReleaseName(),
    namespace: getNamespace(),
    history: getInteger('history', 5, { min: 1, max: 20 }),
    kubeContext: kubeContext === undefined ? undefined : assertSingleLine('kube-context', kubeContext),
  };
}
