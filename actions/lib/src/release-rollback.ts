import { ActionError } from './errors.js';
import type { HistoryEntry } from './helm.js';
import { recordedImage } from './release-drift.js';
import { escapeHtml } from './summary.js';

/**
 * The decisions of a rollback, apart from running it: which revision to return to, and how a release's
 * history and image read in a job summary. Pure, so the helm-rollback action and a deploy's summary can
 * share them and tests can check every case without a cluster.
 */

export interface RollbackChoice {
  /** The revision to return to. */
  revision: number;
  /** The revision serving (or stuck) before the rollback. */
  current: number;
  /** Said in the log when the choice deserves a second look (e.g. returning to a failed revision). */
  warning?: string;
}

/**
 * The revision to roll back to: `requested` when given (it must exist and not be the current one),
 * else the newest revision below the current one that served and runs something else than the current
 * one. A rollback revision (`Rollback to N`) runs N's manifest: after a failed C that Helm rolled back
 * to B, the current revision is a copy of B, and "the previous one" means A, not B again.
 * Errors name the release and the revisions that exist.
 */
export function chooseRollbackRevision(
  release: string,
  history: readonly HistoryEntry[],
  requested?: number,
): RollbackChoice {
  const current = history.at(-1);
  if (!current) throw new ActionError(`release ${release} does not exist: there is nothing to roll back`);
  const known = history.map((h) => h.revision).join(', ');
  if (requested === undefined) {
    const runs = origin(history);
    const revision = history
      .filter((h) => h.revision < current.revision && SERVED.includes(h.status))
      .filter((h) => runs(h.revision) !== runs(current.revision))
      .at(-1)?.revision;
    if (revision === undefined) {
      throw new ActionError(
        `release ${release} has no earlier revision that served (revisions kept: ${known}); nothing to roll back to`,
      );
    }
    return { revision, current: current.revision };
  }
  const target = history.find((h) => h.revision === requested);
  if (!target) {
    throw new ActionError(`release ${release} has no revision ${requested} (revisions kept: ${known})`);
  }
  if (requested === current.revision) {
    throw new ActionError(`revision ${requested} of ${release} is the current one (${current.status})`);
  }
  const warning =
    target.status === 'failed'
      ? `revision ${requested} of ${release} is one whose deploy failed; rolling back to it anyway, as asked`
      : undefined;
  return { revision: requested, current: current.revision, warning };
}

/** Statuses of revisions that served: the current one, or one a later deploy replaced. */
const SERVED: readonly string[] = ['deployed', 'superseded'];

/** The revision whose manifest a revision runs: itself, or for `Rollback to N` what N runs. */
function origin(history: readonly HistoryEntry[]): (revision: number) => number {
  const byRevision = new Map(history.map((h) => [h.revision, h]));
  const runs = (revision: number, depth = 0): number => {
    const to = /^Rollback to (\d+)/.exec(byRevision.get(revision)?.description ?? '')?.[1];
    return to === undefined || depth > history.length ? revision : runs(Number(to), depth + 1);
  };
  return runs;
}

/**
 * `repository:tag[@digest]` of the image a revision was deployed with, from its user-supplied values
 * (the only part of them read: the rest may hold secrets).
 */
export function imageOfValues(values: Record<string, unknown> | undefined, appVersion = ''): string {
  const image = recordedImage(values);
  const tag = image.tag ?? `${appVersion || '?'} (appVersion)`;
  return `${image.repository ?? '(chart default)'}:${tag}${image.digest ? `@${image.digest}` : ''}`;
}

/** How many revisions a lasting target's summary shows. */
export const SUMMARY_HISTORY = 5;

/** The newest `count` revisions as a markdown table, newest first: what ran when, and how it ended. */
export function historyMarkdown(history: readonly HistoryEntry[], count = SUMMARY_HISTORY): string {
  const rows = history
    .slice(-count)
    .reverse()
    .map(
      (h) =>
        `| ${h.revision} | ${cell(h.appVersion)} | ${cell(h.updated)} | ${cell(h.status)} | ${cell(h.description)} |`,
    );
  if (rows.length === 0) return '';
  return [
    `#### Release history (last ${Math.min(count, history.length)})`,
    '',
    '| Revision | Version | Date | Status | Description |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function cell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
