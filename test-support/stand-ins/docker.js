// A stand-in `docker`. Images listed in state.images exist; a build adds its tags and writes the image
// id file (the id then names the image too). For the references in state.pushed, `image inspect` lists
// state.digest among the RepoDigests, after one of another repository, as a real daemon may: pushing
// itself has no stand-in, the docker e2e pushes to the real registry. The daemon is reachable unless
// state.dockerDown; the buildx plugin is there unless state.buildx is false. `pull` gets the images in
// state.pullable and fails, as a daemon with no route to the registry does, for every other one.
// For the real kind (which drives docker to make its nodes) it answers what kind asks before it
// creates anything: `-v`, `info`, `ps` (no containers) and `inspect --type=image`; its first
// provisioning call (`network`) fails, since no node image can be had here.
import { writeFileSync } from 'node:fs';
import { fail, flag, loadState, record, saveState } from './common.js';

const args = process.argv.slice(2);
record('docker', args);
const state = loadState();
const images = (state.images ??= []);
const pushed = (state.pushed ??= []);
const repository = (ref) => ref.replace(/:[^:/]*$/, '');

if (args[0] === '-v') {
  process.stdout.write('Docker version 27.5.1, build 9f9e405\n');
} else if (args[0] === 'info') {
  if (state.dockerDown)
    fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  process.stdout.write(
    JSON.stringify({
      CgroupDriver: 'systemd',
      CgroupVersion: '2',
      MemoryLimit: true,
      PidsLimit: true,
      CPUShares: true,
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
    }) + '\n',
  );
} else if (args[0] === 'ps') {
  // No containers, so no kind clusters and no nodes.
} else if (args[0] === 'inspect' && args[1] === '--type=image') {
  if (!images.includes(args[2])) fail(`Error: No such image: ${args[2]}`);
  process.stdout.write('[{}]\n');
} else if (args[0] === 'network') {
  fail('stand-in docker: no networks or containers are made here; kind stops before creating nodes');
} else if (args[0] === 'version') {
  if (state.dockerDown)
    fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  process.stdout.write('27.5.1');
} else if (args[0] === 'buildx') {
  if (state.buildx === false) fail("docker: 'buildx' is not a docker command.");
  process.stdout.write('github.com/docker/buildx v0.20.0\n');
} else if (args[0] === 'image' && args[1] === 'inspect') {
  const ref = args[args.length - 1];
  if (!images.includes(ref)) fail(`Error response from daemon: No such image: ${ref}`);
  if (flag(args, '--format') === '{{json .}}') {
    const digests = pushed
      .filter((p) => repository(p) === repository(ref))
      .map((p) => `${repository(p)}@${state.digest}`);
    process.stdout.write(
      JSON.stringify({
        Id: state.imageId,
        Size: 209715200,
        RepoDigests: [`elsewhere.example/other@sha256:${'e'.repeat(64)}`, ...new Set(digests)],
        Config: { Labels: { 'org.opencontainers.image.version': 'x' }, User: '10001:10001' },
      }),
    );
  } else {
    process.stdout.write(state.imageId);
  }
} else if (args[0] === 'build') {
  // A built image can be referred to by its tags and by its id.
  args.forEach((a, i) => {
    if (a === '--tag') images.push(args[i + 1]);
  });
  if (!images.includes(state.imageId)) images.push(state.imageId);
  const iid = flag(args, '--iidfile');
  if (iid) writeFileSync(iid, `${state.imageId}\n`);
  saveState(state);
  process.stdout.write('Successfully built\n');
} else if (args[0] === 'pull') {
  const ref = args[args.length - 1];
  const registry =
    ref.includes('/') && /[.:]/.test(ref.split('/')[0]) ? ref.split('/')[0] : 'registry.invalid';
  if (!(state.pullable ?? []).includes(ref))
    fail(
      `Error response from daemon: Get "https://${registry}/v2/": dial tcp: lookup ${registry}: no such host`,
    );
  images.push(ref);
  saveState(state);
  process.stdout.write(`${ref}\n`);
} else if (args[0] === 'save') {
  writeFileSync(flag(args, '-o'), 'tar');
} else {
  fail(`docker: '${args[0]}' is not a docker command.`);
}
