// A stand-in `kubectl` answering from the state file: events, pods, deployments, replica sets and services as JSON,
// describe and logs as text, and `port-forward` as a real HTTP server on 127.0.0.1 that answers like
// the service (state.http) until it is killed.
import { createServer } from 'node:http';
import { fail, flag, loadState, positionals, record } from './common.js';

const args = process.argv.slice(2);
record('kubectl', args);
const state = loadState();
const [verb, resource, name] = positionals(args, [
  '--namespace',
  '-n',
  '--selector',
  '-l',
  '--output',
  '-o',
  '--context',
  '--tail',
  '--address',
]);
const list = (items) => process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));

if (verb === 'get') {
  if (resource === 'events') list(state.events ?? []);
  else if (resource === 'pods') list(state.pods ?? []);
  else if (resource === 'deployments') list(state.deployments ?? []);
  else if (resource === 'replicasets') list(state.replicaSets ?? []);
  else if (resource === 'services') list(state.services ?? []);
  else fail(`error: the server doesn't have a resource type "${resource}"`);
} else if (verb === 'describe') {
  const pods = positionals(args, ['--namespace', '-n', '--context']).slice(2);
  for (const pod of pods)
    process.stdout.write(
      `Name:         ${pod}\nNamespace:    ${flag(args, '--namespace')}\nStatus:       Running\nEvents:\n  Warning  BackOff  kubelet  Back-off restarting failed container\n`,
    );
} else if (verb === 'logs') {
  const lines = Number(flag(args, '--tail') ?? 10);
  const previous = args.includes('--previous');
  for (let i = 1; i <= Math.min(lines, 3); i++)
    process.stdout.write(`${resource}${previous ? ' previous' : ''} log line ${i}\n`);
} else if (verb === 'port-forward') {
  const http = state.http ?? {
    readyz: 200,
    rootStatus: 200,
    root: 'status: 3 days since the last incident\n',
  };
  const server = createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(http.readyz, { 'content-type': 'text/plain' });
      res.end(http.readyz === 200 ? 'ready\n' : 'not ready: no incidents\n');
    } else {
      res.writeHead(http.rootStatus, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(http.root);
    }
  });
  const wanted = Number((name ?? ':').split(':')[0] || 0);
  server.listen(wanted, '127.0.0.1', () => {
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    process.stdout.write(`Forwarding from 127.0.0.1:${port} -> 3000\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  fail(`error: unknown command "${verb}" for "kubectl"`);
}
