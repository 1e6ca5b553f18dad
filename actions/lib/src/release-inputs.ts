import { InputError } from './errors.js';
import { parseGoDuration } from './helm.js';
import { getOptional } from './inputs.js';

/**
 * Inputs every release action reads the same way: the release and namespace names Kubernetes and Helm
 * accept, Helm's `--timeout`, and how soon to give up a rollout whose pods cannot start. Checked
 * before anything runs, so a typo never reaches the cluster.
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

/**
 * How long a new pod may show a problem that cannot heal by itself (an image that cannot be pulled, a
 * crash loop, ...) before the rollout is given up, in ms: a Go duration like `timeout`, or `0`/`off`
 * to wait for Helm alone.
 */
export function getFailFastAfter(input = 'fail-fast-after', fallback = '60s'): number {
  const raw = getOptional(input) ?? fallback;
  if (raw.toLowerCase() === 'off') return 0;
  const ms = parseGoDuration(raw);
  if (ms === undefined) {
    throw new InputError(input, `'${raw}' is not a duration such as 60s, 2m or 1m30s, nor 0 or off`);
  }
  return ms;
}
