// helm/kind-action stand-in: kind's node images need a registry, so a local run brings up the local
// cluster instead (`npm run cluster -- up`, actions/lib/src/testing/cluster/) and exports what it prints:
// `export KUBECONFIG=...` and `export PATH=...` lines. The workflow's cluster_name (incidents-act under
// act) keeps it apart from the cluster a user made with `npm run init`.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const name = process.env.CLUSTER_NAME || 'incidents-act';
const project = process.env.INCIDENTS_ACT_PROJECT;
if (!project) {
  console.error('::error::INCIDENTS_ACT_PROJECT is empty: run act through npm run act');
  process.exit(1);
}
const printed = execFileSync('npm', ['run', '--silent', 'cluster', '--', 'up', '--name', name], {
  cwd: project,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
let kubeconfig;
for (const line of printed.split('\n')) {
  const match = /^export (KUBECONFIG|PATH)=(.*)$/.exec(line.trim());
  if (!match) continue;
  const value = match[2].replace(/^(['"])(.*)\1$/, '$2');
  if (match[1] === 'KUBECONFIG') {
    kubeconfig = value;
    appendFileSync(process.env.GITHUB_ENV, `KUBECONFIG=${value}\n`);
  } else {
    // Only the folders the cluster put in front of the PATH it was given.
    const added = value
      .split(':')
      .filter((dir) => dir && dir !== '$PATH' && !process.env.PATH.split(':').includes(dir));
    for (const dir of added) appendFileSync(process.env.GITHUB_PATH, `${dir}\n`);
  }
}
if (!kubeconfig) {
  console.error(`::error::npm run cluster -- up printed no 'export KUBECONFIG=' line:\n${printed}`);
  process.exit(1);
}
console.log(`local cluster ${name} is up; KUBECONFIG=${kubeconfig}`);
