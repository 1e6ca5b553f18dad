// A stand-in `kind` with the clusters of state.clusters; create adds one, load records the images.
// `load docker-image` fails as with the known containerd image store problem when
// state.kindDockerImageFails; `load image-archive` needs its archive to exist and fails when
// state.kindArchiveFails.
import { existsSync } from 'node:fs';
import { fail, flag, loadState, record, saveState } from './common.js';

const args = process.argv.slice(2);
record('kind', args);
const state = loadState();
const clusters = (state.clusters ??= []);

if (args[0] === 'version') {
  process.stdout.write('kind v0.31.0 go1.25.5 linux/amd64\n');
} else if (args[0] === 'get' && args[1] === 'clusters') {
  if (clusters.length === 0) process.stderr.write('No kind clusters found.\n');
  else process.stdout.write(clusters.join('\n') + '\n');
} else if (args[0] === 'create' && args[1] === 'cluster') {
  clusters.push(flag(args, '--name') ?? 'kind');
  saveState(state);
  process.stdout.write('Creating cluster ...\n');
} else if (args[0] === 'load') {
  if (!clusters.includes(flag(args, '--name')))
    fail(`ERROR: no nodes found for cluster "${flag(args, '--name')}"`);
  if (args[1] === 'docker-image' && state.kindDockerImageFails)
    fail(
      'ERROR: failed to load image: command "docker exec --privileged -i incidents-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1',
    );
  if (args[1] === 'image-archive') {
    if (!existsSync(args[2])) fail(`ERROR: archive not found: ${args[2]}`);
    if (state.kindArchiveFails) fail('ERROR: failed to load image: no space left on device');
  }
  (state.loaded ??= []).push(
    ...args.slice(2).filter((a) => !a.startsWith('-') && a !== flag(args, '--name')),
  );
  saveState(state);
} else {
  fail(`ERROR: unknown command "${args[0]}" for "kind"`);
}
