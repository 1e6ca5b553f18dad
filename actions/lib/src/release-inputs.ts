import { InputError } from './errors.js';
import { parseGoDuration } from './helm.js';
import { getOptional } from './inputs.js';

/**
 * Inputs every release action reads the same way: the release and namespace names Kubernetes and Helm
 * accept, and Helm's `--timeout`. Checked before anything runs, so a typo never reaches the cluster.
 */

/** DNS-1123 label: what Kubernetes accepts for a namespace, and Helm (up to 53 chars) for a release. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function getDnsLabel(input: string, fallback: string, maxLength: number): string {
  const value = getOptional(input) ?? fallback;
  if (!DNS_LABEL.test(value) || value.length > maxLength) {
    throw new InputError(
      input,
      `'${value}' must be lowercase letters, digits and '-', at most ${maxLength} characters`,
    );
  }
  return value;
}

export function getReleaseName(input = 'release', fallback = 'incidents-service'): string {
  return getDnsLabel(input, fallback, 53);
}

export function getNamespace(input = 'namespace', fallback = 'incidents'): string {
  return getDnsLabel(input, fallback, 63);
}

/** A Go duration such as 5m, the form of Helm's `--timeout`. */
export function getHelmTimeout(input = 'timeout', fallback = '5m'): string {
  return requireGoDuration(input, getOptional(input) ?? fallback);
}

/** The one check of a Go duration, wherever it comes from (an action input, the CLI, the deploy flow). */
export function requireGoDuration(input: string, value: string): string {
  if (parseGoDuration(value) === undefined) {
    throw new InputError(input, `'${value}' is not a duration such as 5m, 300s or 1m30s`);
  }
  return value;
}
