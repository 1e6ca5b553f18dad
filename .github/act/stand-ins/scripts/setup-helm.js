// Azure/setup-helm stand-in: the helm that `npm run tools` built, found by `npm run act` through the tool
// locator and passed in INCIDENTS_ACT_HELM, goes first on PATH when it is the version the workflow pins.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const wanted = (process.env.HELM_VERSION ?? '').trim();
const helm = process.env.INCIDENTS_ACT_HELM;
if (!helm) {
  console.error('::error::no helm from the tool bootstrap (INCIDENTS_ACT_HELM is empty): run npm run tools');
  process.exit(1);
}
const have = execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' }).trim();
if (wanted !== 'latest' && have.replace(/^v/, '') !== wanted.replace(/^v/, '')) {
  console.error(`::error::the workflow pins helm ${wanted}; the bootstrap's helm (${helm}) is ${have}`);
  process.exit(1);
}
appendFileSync(process.env.GITHUB_PATH, `${path.dirname(helm)}\n`);
console.log(`helm ${have} from ${helm} is first on PATH`);
