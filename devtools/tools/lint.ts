import { lintWorkflows } from './workflow-lint.js';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/** `npm run lint:workflows`: actionlint and zizmor over this repository's `.github/`. */

const result = await lintWorkflows(ROOT);
for (const report of result.reports) {
  process.stdout.write(`==> ${report.tool}: ${report.ok ? 'ok' : `failed (exit ${report.exitCode})`}\n`);
  if (report.output) process.stdout.write(`${report.output}\n`);
}
process.exitCode = result.ok ? 0 : 1;
