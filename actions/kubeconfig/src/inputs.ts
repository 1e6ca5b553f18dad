import * as core from '@actions/core';
import { getBoolean } from '@incidents-pipeline/actions-lib/inputs';
import type { KubeconfigSource } from '@incidents-pipeline/actions-lib/kubeconfig';

export interface Inputs extends KubeconfigSource {
  /** Accept exec credential plugins and auth-providers (off: the file could run any program). */
  allowExec: boolean;
}

/** The two ways the kubeconfig is given, read raw: the text is never trimmed into a different file. */
export function getInputs(): Inputs {
  return {
    text: core.getInput('kubeconfig', { trimWhitespace: false }),
    base64: core.getInput('kubeconfig-b64'),
    allowExec: getBoolean('allow-exec', false),
  };
}
