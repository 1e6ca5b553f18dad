import { ActionError, InputError } from './errors.js';
import type { HelmRelease, ReleaseTarget } from './helm.js';
import { compare, tryParseVersion } from './version.js';

/**
 * The order of deliveries. GitHub keeps one pending run per concurrency group and does not promise
 * the order in which queued runs start, so two deliveries can reach an environment out of order. A
 * delivery therefore never moves a release to an older version than the one it runs; an explicit
 * deploy or rollback (a person's decision) may.
 */

/** The version a release runs: the image tag its values set, else the chart's appVersion. */
export function runningVersion(release: HelmRelease): string {
  const image = release.values.image as { tag?: unknown } | undefined;
  return typeof image?.tag === 'string' && image.tag !== '' ? image.tag : release.appVersion;
}

/** Throws, before anything is installed, when `imageTag` is older than what `existing` runs. */
export function assertNotOlder(
  existing: HelmRelease | undefined,
  imageTag: string | undefined,
  target: ReleaseTarget,
): void {
  if (imageTag === undefined) {
    throw new InputError('refuse-downgrade', 'needs image-tag, the version to compare with the running one');
  }
  if (!existing) return;
  const where = `${target.release} in namespace ${target.namespace}`;
  const running = runningVersion(existing);
  const runningParsed = tryParseVersion(running);
  const wanted = tryParseVersion(imageTag);
  if (!runningParsed || !wanted) {
    const [what, text] = !runningParsed ? ['runs image tag', running] : ['is asked for image tag', imageTag];
    throw new ActionError(
      `${where} ${what} '${text}', which is not a version to compare ` +
        `${!runningParsed ? imageTag : running} with; deploy a version explicitly (deploy.yml dispatch) first`,
    );
  }
  if (compare(runningParsed, wanted) > 0) {
    throw new ActionError(
      `${where} runs ${running}, newer than ${imageTag}: a delivery never moves a release to an older ` +
        `version (a newer one was delivered first); to go back on purpose, dispatch deploy.yml for ` +
        `${imageTag} or rollback.yml`,
    );
  }
}
