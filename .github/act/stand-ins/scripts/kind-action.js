// helm/kind-action stand-in: kind's node images need a registry, so a local run brings up the local
// cluster instead (`npm run cluster -- up`, devtools/cluster/) and exports what it prints:
// `export KUBECONFIG=...` and `export PATH=...` lines. The workflow's cluster_name (incidents-act under
// act) keeps it apart from the cluster a user made with `npm run init`; the kind stand-in (../bin/kind,
// first on PATH from here on) answers to that name. Unlike kind-action, no post step deletes the
// cluster: it is the machine's one local cluster, and later runs reuse it.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const name = process.env.CLUSTER_NAME || 'incidents-act';
const project = process.env.INCIDENTS_ACT_PROJECT;
if (!project) {
  console.error('::error::INCIDENTS_ACT_PROJECT is empty: run act through npm run act');
  process.exit(1);
}
const printed = execFileSync('npm', ['run', '--silent', 'cluster', '--', 'up'], {
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
appendFileSync(process.env.GITHUB_ENV, `INCIDENTS_ACT_KIND_CLUSTER=${name}\n`);
appendFileSync(process.env.GITHUB_PATH, `${path.join(process.env.INCIDENTS_ACT_STAND_INS, 'bin')}\n`);
console.log(`local cluster ${name} is up; KUBECONFIG=${kubeconfig}`);
