import * as core from '@actions/core';
import { log } from './log.js';

/**
 * Job summary helpers. On a runner the summary is the step's markdown report; where there is none
 * (the local CLI, act without a summary file) the same facts go to the log so nothing is lost.
 */
export type SummaryRow = readonly [string, string];

export async function writeSummary(
  title: string,
  rows: readonly SummaryRow[],
  extraMarkdown?: string,
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log().info(`${title}\n${rows.map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    return;
  }
  core.summary.addHeading(title, 3).addTable([
    [
      { data: 'Item', header: true },
      { data: 'Value', header: true },
    ],
    ...rows.map(([k, v]) => [k, escapeHtml(v)]),
  ]);
  if (extraMarkdown) core.summary.addRaw(extraMarkdown, true);
  await core.summary.write();
}

/** Table cells are HTML; tool output in them must not become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
