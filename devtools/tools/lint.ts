import { fileURLToPath } from 'node:url';
import { lintWorkflows } from './workflow-lint.js';

/** `npm run lint:workflows`: actionlint and zizmor over this repository's `.github/`. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const result = await lintWorkflows(ROOT);
for (const report of result.reports) {
  process.stdout.write(`==> ${report.tool}: ${report.ok ? 'ok' : `failed (exit ${report.exitCode})`}\n`);
  if (report.output) process.stdout.write(`${report.output}\n`);
}
process.exitCode = result.ok ? 0 : 1;
