import { appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';
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
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    log().info(`${title}\n${rows.map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    return;
  }
  // core.summary renders the markdown, but its `write()` keeps the first file it ever saw; the file
  // is named per step, so each summary is appended to the one named now.
  core.summary.emptyBuffer();
  core.summary.addHeading(title, 3).addTable([
    [
      { data: 'Item', header: true },
      { data: 'Value', header: true },
    ],
    ...rows.map(([k, v]) => [k, escapeHtml(v)]),
  ]);
  if (extraMarkdown) core.summary.addRaw(extraMarkdown, true);
  const markdown = core.summary.stringify();
  core.summary.emptyBuffer();
  await appendFile(file, markdown + EOL, 'utf8');
}

/** Table cells are HTML; tool output in them must not become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
