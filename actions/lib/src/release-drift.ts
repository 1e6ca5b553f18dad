import type { PodList } from './kubectl.js';
import { escapeHtml } from './summary.js';

/**
 * Drift: whether what runs in the cluster is what Helm recorded. Someone's `kubectl set image` or
 * `kubectl edit`, or a tag moved under a running release, leaves Helm's record (and so a rollback)
 * describing something else than what serves. Read from the release's pods (the images their
 * containers were started from, and the digest the runtime resolved), compared with the image in the
 * revision's values. Reading needs only `list pods` in the namespace, which the deployer's Role has.
 * The pods are read by `KubectlClient.releasePods` (kubectl.ts, the one place that runs kubectl).
 */

export interface RecordedImage {
  repository?: string;
  tag?: string;
  digest?: string;
}

export interface RunningContainer {
  pod: string;
  container: string;
  /** The reference the container was started from (the pod spec's `image`). */
  image: string;
  /** What the runtime resolved, e.g. `ghcr.io/o/i@sha256:…`; empty until the container started. */
  imageID: string;
}

export interface Drift {
  /** `undefined` when there is nothing to compare (no pods running, or no image recorded). */
  drifted?: boolean;
  recorded: string;
  /** One line per container that does not match, or why nothing could be compared. */
  details: string[];
}

/** The image fields of a revision's values; nothing else of them is read (they may hold secrets). */
export function recordedImage(values: Record<string, unknown> | undefined): RecordedImage {
  const image = (values?.image ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { repository: text(image.repository), tag: text(image.tag), digest: text(image.digest) };
}

/** The containers of running and starting pods. */
export function runningContainers(list: PodList): RunningContainer[] {
  return (list.items ?? [])
    .filter((pod) => pod.status?.phase === 'Running' || pod.status?.phase === 'Pending')
    .flatMap((pod) =>
      (pod.status?.containerStatuses ?? []).map((c) => ({
        pod: pod.metadata?.name ?? '',
        container: c.name ?? '',
        image: c.image ?? '',
        imageID: c.imageID ?? '',
      })),
    );
}

/** Strips a default registry's prefix that runtimes add to short names (`docker.io/library/`). */
function normalise(reference: string): string {
  return reference.replace(/^docker\.io\/(library\/)?/, '');
}

/**
 * Compares the recorded image with every running container. With a recorded digest the resolved
 * digest must match it (a moved tag shows); otherwise the reference each container started from
 * must be `repository:tag`.
 */
export function imageDrift(recorded: RecordedImage, running: readonly RunningContainer[]): Drift {
  if (!recorded.repository || !recorded.tag) {
    return { recorded: '(not recorded)', details: ['Helm recorded no image for this revision'] };
  }
  const reference = `${recorded.repository}:${recorded.tag}`;
  const shown = recorded.digest ? `${reference}@${recorded.digest}` : reference;
  if (running.length === 0) return { recorded: shown, details: ['no running pods to compare'] };
  const details = running.flatMap((c) => {
    const started = normalise(c.image.split('@')[0]);
    const resolved = /@(sha256:[0-9a-f]{64})$/.exec(c.imageID)?.[1];
    const problems: string[] = [];
    if (started !== normalise(reference)) problems.push(`runs ${c.image}`);
    if (recorded.digest && resolved && resolved !== recorded.digest) problems.push(`runs digest ${resolved}`);
    return problems.map((p) => `${c.pod}/${c.container} ${p}`);
  });
  return { drifted: details.length > 0, recorded: shown, details };
}

/** Markdown for the job summary. */
export function driftMarkdown(drift: Drift): string {
  const verdict =
    drift.drifted === undefined
      ? 'not compared'
      : drift.drifted
        ? '**drift**: the cluster runs something else than Helm recorded'
        : 'none: the pods run the recorded image';
  const lines = [
    '#### Drift',
    '',
    `Recorded by Helm: \`${escapeHtml(drift.recorded)}\``,
    '',
    `Drift: ${verdict}`,
    '',
  ];
  for (const detail of drift.details) lines.push(`- ${escapeHtml(detail)}`);
  return lines.join('\n') + '\n';
}
