// A stand-in `kind` with the clusters of state.clusters; create adds one, load records the images.
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
  (state.loaded ??= []).push(
    ...args.slice(2).filter((a) => !a.startsWith('-') && a !== flag(args, '--name')),
  );
  saveState(state);
} else {
  fail(`ERROR: unknown command "${args[0]}" for "kind"`);
}
