// kind stand-in under `npm run act`: kind's node images need a registry, so the kind-action stand-in
// brings up the local cluster (devtools/cluster/) instead, and this answers the kind
// calls our actions and workflows make on it, under the cluster name the workflow gave kind-action:
// `kind get clusters` and `kind load docker-image IMAGE... --name NAME` (into the cluster's containerd,
// through `npm run cluster -- load-image`). Any other call fails and says so, rather than pretend.
import { execFileSync } from 'node:child_process';

const cluster = process.env.INCIDENTS_ACT_KIND_CLUSTER;
const project = process.env.INCIDENTS_ACT_PROJECT;
const args = process.argv.slice(2);
const fail = (message) => {
  console.error(`kind (act stand-in): ${message}`);
  process.exit(1);
};
if (!cluster || !project) fail('no cluster: run helm/kind-action first, through npm run act');

const cli = (...rest) =>
  execFileSync('npm', ['run', '--silent', 'cluster', '--', ...rest], {
    cwd: project,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });

const name = () => {
  const at = args.indexOf('--name');
  const given = at >= 0 ? args[at + 1] : args.find((arg) => arg.startsWith('--name='))?.slice(7);
  return given ?? 'kind';
};

if (args[0] === 'get' && args[1] === 'clusters') {
  // Only while the local cluster runs, as kind lists only clusters that exist.
  // `status` exits 1 unless the cluster is up; its --json answer says which state it is in.
  let up = false;
  try {
    up = JSON.parse(cli('status', '--json')).state === 'up';
  } catch {
    up = false;
  }
  if (up) console.log(cluster);
  else console.error('No kind clusters found.');
} else if (args[0] === 'load' && args[1] === 'docker-image') {
  if (name() !== cluster) fail(`no cluster '${name()}' (the local cluster is '${cluster}')`);
  const images = args.slice(2).filter((arg, i, all) => !arg.startsWith('--') && all[i - 1] !== '--name');
  if (images.length === 0) fail('load docker-image needs at least one image');
  process.stdout.write(cli('load-image', ...images));
} else {
  fail(`'kind ${args.join(' ')}' is not available locally: only 'get clusters' and 'load docker-image'`);
}
