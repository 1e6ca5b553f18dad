// helm/kind-action stand-in: kind's node images need a registry, so a local run brings up the local
// cluster instead (`npm run cluster -- up --json`, devtools/cluster/) and exports what it answers:
// KUBECONFIG, and the cluster's kubectl folder first on PATH. The workflow's cluster_name
// (incidents-act under act) keeps it apart from the cluster a user made with `npm run init`; the kind
// stand-in (../bin/kind, first on PATH from here on) answers to that name. Unlike kind-action, no
// post step deletes the cluster: it is the machine's one local cluster, and later runs reuse it.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const name = process.env.CLUSTER_NAME || 'incidents-act';
const project = process.env.INCIDENTS_ACT_PROJECT;
if (!project) {
  console.error('::error::INCIDENTS_ACT_PROJECT is empty: run act through npm run act');
  process.exit(1);
}
const answer = execFileSync('npm', ['run', '--silent', 'cluster', '--', 'up', '--json'], {
  cwd: project,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
/** @type {{ kubeconfig: string, binDir: string }} */
const access = JSON.parse(answer);
appendFileSync(process.env.GITHUB_ENV, `KUBECONFIG=${access.kubeconfig}\n`);
appendFileSync(process.env.GITHUB_PATH, `${access.binDir}\n`);
appendFileSync(process.env.GITHUB_ENV, `INCIDENTS_ACT_KIND_CLUSTER=${name}\n`);
appendFileSync(process.env.GITHUB_PATH, `${path.join(process.env.INCIDENTS_ACT_STAND_INS, 'bin')}\n`);
console.log(`local cluster ${name} is up; KUBECONFIG=${access.kubeconfig}`);
