import * as core from '@actions/core';
import type { KubeconfigSource } from '@incidents-pipeline/actions-lib/kubeconfig';

/** The two ways the kubeconfig is given, read raw: the text is never trimmed into a different file. */
export function getInputs(): KubeconfigSource {
  return {
    text: core.getInput('kubeconfig', { trimWhitespace: false }),
    base64: core.getInput('kubeconfig-b64'),
  };
}
