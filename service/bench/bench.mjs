/* global process, console, fetch, Buffer -- Node globals; the shared lint config declares none for plain JS */
// Loads the built service and a bare node:http server answering the same bytes with the same
// concurrency, one after the other, and prints requests/s, p99 latency, the ratio ours/bare and the
// service's resident memory. Usage: npm run bench -w service [-- --duration 10 --connections 50 --no-build]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: '/' },
    'no-build': { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);

const targets = { requestsPerSecond: 12_000, p99Ms: 10, ratio: 0.25, rssMb: 120 };

/** Starts a node process that prints a JSON line with `port` once it listens. */
function startListener(label, argv, env) {
  const child = spawn(process.execPath, argv, {
    cwd: serviceDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        try {
          const record = JSON.parse(line);
          if (record.message === 'listening' && typeof record.port === 'number') {
            child.stdout.off('data', onData);
            child.stdout.resume();
            resolve({ child, port: record.port });
            return;
          }
        } catch {
          // not a JSON line, or not complete yet
        }
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before listening`)));
  });
}

function load(port, seconds) {
  return autocannon({
    url: `http://127.0.0.1:${port}${args.path}`,
    connections,
    duration: seconds,
  });
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function measure(label, port, pid) {
  if (warmup > 0) await load(port, warmup);
  const result = await load(port, duration);
  const memory = pid === undefined ? undefined : rssMb(pid);
  const failures = result.errors + result.timeouts + result.non2xx;
  return {
    label,
    rps: result.requests.average,
    p99: result.latency.p99,
    failures,
    total: result.requests.total,
    memory,
  };
}

if (!args['no-build']) {
  console.log('building service/dist ...');
  execFileSync('npm', ['run', 'build'], { cwd: serviceDir, stdio: 'inherit' });
}

const service = await startListener('service', ['dist/index.js'], {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'log',
});
const sample = await fetch(`http://127.0.0.1:${service.port}${args.path}`);
const body = Buffer.from(await sample.arrayBuffer());
const contentType = sample.headers.get('content-type');
console.log(`GET ${args.path}: ${sample.status}, ${body.length} bytes, ${contentType}`);

const bareSource = `
  const http = require('node:http');
  const body = Buffer.from(process.env.BENCH_BODY, 'base64');
  const server = http.createServer((req, res) => {
    res.writeHead(${sample.status}, { 'content-type': process.env.BENCH_TYPE, 'content-length': body.length });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ message: 'listening', port: server.address().port })));
`;
const bare = await startListener('bare server', ['-e', bareSource], {
  BENCH_BODY: body.toString('base64'),
  BENCH_TYPE: contentType ?? 'text/plain',
});

try {
  console.log(
    `load: ${connections} connections, ${warmup}s warm-up, ${duration}s measured, one server at a time`,
  );
  const ours = await measure('service', service.port, service.child.pid);
  const theirs = await measure('bare node:http', bare.port, bare.child.pid);
  const ratio = ours.rps / theirs.rps;
  const row = (r) =>
    `${r.label.padEnd(16)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${String(r.p99).padStart(3)} ms   ` +
    `${r.total} requests, ${r.failures} failed   RSS ${r.memory.rss.toFixed(1)} MB (peak ${r.memory.peak.toFixed(1)} MB)`;
  console.log(row(ours));
  console.log(row(theirs));
  console.log(`ratio ours/bare  ${ratio.toFixed(2)}`);
  const verdict = (ok) => (ok ? 'ok' : 'MISSED');
  // The targets are for the endpoint dashboards poll; other paths are measured for information.
  if (args.path === '/') {
    console.log(
      [
        `targets for GET /: >= ${targets.requestsPerSecond} req/s ${verdict(ours.rps >= targets.requestsPerSecond)}`,
        `p99 < ${targets.p99Ms} ms ${verdict(ours.p99 < targets.p99Ms)}`,
        `ratio >= ${targets.ratio} ${verdict(ratio >= targets.ratio)}`,
        `RSS < ${targets.rssMb} MB ${verdict(ours.memory.peak < targets.rssMb)}`,
        `no failed requests ${verdict(ours.failures === 0)}`,
      ].join(', '),
    );
  }
} finally {
  service.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
}
