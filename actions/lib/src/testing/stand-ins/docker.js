// A stand-in `docker`: images listed in state.images exist; builds add their tags (and write the
// image id file); the daemon is reachable unless state.dockerDown.
import { writeFileSync } from 'node:fs';
import { fail, flag, loadState, record, saveState } from './common.js';

const args = process.argv.slice(2);
record('docker', args);
const state = loadState();
const images = (state.images ??= []);

if (args[0] === 'version') {
  if (state.dockerDown)
    fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  process.stdout.write('27.5.1');
} else if (args[0] === 'buildx') {
  process.stdout.write('github.com/docker/buildx v0.20.0\n');
} else if (args[0] === 'image' && args[1] === 'inspect') {
  const ref = args[args.length - 1];
  if (!images.includes(ref)) fail(`Error response from daemon: No such image: ${ref}`);
  process.stdout.write('sha256:' + 'a'.repeat(64));
} else if (args[0] === 'build') {
  args.forEach((a, i) => {
    if (a === '--tag') images.push(args[i + 1]);
  });
  const iid = flag(args, '--iidfile');
  if (iid) writeFileSync(iid, 'sha256:' + 'b'.repeat(64));
  saveState(state);
  process.stdout.write('Successfully built\n');
} else if (args[0] === 'save') {
  writeFileSync(flag(args, '-o'), 'tar');
} else {
  fail(`docker: '${args[0]}' is not a docker command.`);
}
