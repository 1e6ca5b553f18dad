import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daysAgo, scratchDir, writeIncidents } from './app-harness.js';

/**
 * The real thing: the ncc bundle (built here into a scratch folder, as `npm run build` does) in its
 * own process, on a real port, getting real signals.
 */
const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const ncc = join(serviceDir, '..', 'node_modules', '.bin', 'ncc');
const build = scratchDir();
const bundle = join(build.dir, 'dist', 'index.js');

beforeAll(() => {
  execFileSync(
    ncc,
    [
      'build',
      'src/main.ts',
      '-o',
      join(build.dir, 'dist'),
      '--no-source-map-register',
      '--quiet',
      '--transpile-only',
    ],
    {
      cwd: serviceDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}, 240_000);
afterAll(() => build.remove());

interface Running {
  child: ChildProcess;
  port: number;
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function run(env: NodeJS.ProcessEnv, cwd: string): Running {
  const child = spawn(process.execPath, [bundle], {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));
  return { child, port: 0, logs, stderr: () => stderr, exited };
}

async function listening(env: NodeJS.ProcessEnv, cwd: string): Promise<Running> {
  const running = run(env, cwd);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = running.logs.find((record) => record.message === 'listening');
    if (line) return { ...running, port: line.port as number };
    if (running.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  running.child.kill('SIGKILL');
  throw new Error(`service did not start: ${running.stderr()}`);
}

function logged(running: Running, message: string): Record<string, unknown> | undefined {
  return running.logs.find((record) => record.message === message);
}

describe('configuration at start', () => {
  const cwd = scratchDir();
  afterAll(() => cwd.remove());

  it.each([
    [{ PORT: 'http' }, 'PORT must be an integer between 0 and 65535, got "http"'],
    [
      { TZ: 'Mars/Olympus_Mons' },
      'TZ must be an IANA time zone such as Europe/Vienna or UTC, got "Mars/Olympus_Mons"',
    ],
    [
      { INCIDENTS_FILE: '/nonexistent/incidents.yaml' },
      'INCIDENTS_FILE "/nonexistent/incidents.yaml" does not exist',
    ],
  ])('%j stops the process with one clear line', async (env, message) => {
    const running = run(env, cwd.dir);
    const { code } = await running.exited;
    expect(code).toBe(2);
    const lines = running.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`incidents-service: invalid configuration: ${message}`);
  });
});

describe('the default incidents file', () => {
  const cwd = scratchDir();
  afterAll(() => cwd.remove());

  it('serves the bundled example when nothing is configured, and ./incidents.yaml once it exists', async () => {
    let running = await listening({}, cwd.dir);
    try {
      const body = await (await fetch(`http://127.0.0.1:${running.port}/`)).text();
      const example = readFileSync(join(serviceDir, 'incidents.example.yaml'), 'utf8');
      expect(body).toMatch(/^status: \d+ days since the last incident\n/);
      expect(body.slice(body.indexOf('\n') + 1)).toBe(example);
      expect(logged(running, 'serving incidents file')).toMatchObject({ source: 'bundled-example' });
    } finally {
      running.child.kill('SIGTERM');
      await running.exited;
    }

    writeIncidents(cwd.dir, `incidents:\n  - date: ${daysAgo(1)}\n`);
    running = await listening({}, cwd.dir);
    try {
      const body = await (await fetch(`http://127.0.0.1:${running.port}/`)).text();
      expect(body).toBe(`status: 1 day since the last incident\nincidents:\n  - date: ${daysAgo(1)}\n`);
    } finally {
      running.child.kill('SIGTERM');
      await running.exited;
    }
  }, 60_000);
});

/** A raw HTTP/1.1 client: one socket, requests written by hand, the reply read only when told. */
class SlowClient {
  private readonly chunks: Buffer[] = [];
  readonly socket: Socket;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.pause();
    this.closed = once(this.socket, 'close').then(() => undefined);
  }

  async ready(): Promise<void> {
    await once(this.socket, 'connect');
  }

  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  }

  /** Reads everything until the server closes the socket. */
  async readAll(): Promise<Buffer> {
    this.socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.socket.resume();
    await this.closed;
    return Buffer.concat(this.chunks);
  }
}

/** Splits a byte stream of HTTP/1.1 responses that all carry content-length. */
function responses(stream: Buffer): Array<{ status: number; headers: string; body: Buffer }> {
  const out = [];
  let offset = 0;
  while (offset < stream.length) {
    const headerEnd = stream.indexOf('\r\n\r\n', offset);
    if (headerEnd < 0) throw new Error(`truncated response headers at byte ${offset}`);
    const headers = stream.subarray(offset, headerEnd).toString('latin1');
    const length = Number(/^content-length: (\d+)$/im.exec(headers)?.[1]);
    const body = stream.subarray(headerEnd + 4, headerEnd + 4 + length);
    if (body.length !== length) throw new Error(`truncated body: ${body.length} of ${length} bytes`);
    out.push({ status: Number(headers.split(' ', 2)[1]), headers, body });
    offset = headerEnd + 4 + length;
  }
  return out;
}

describe('graceful shutdown', () => {
  const files = scratchDir();
  /**
   * Large enough that the reply cannot fit in the socket buffers of a client that is not reading;
   * mostly comments, which keep the YAML parse at start quick. Written by each test that uses it,
   * never when this file loads: the bundle is built in between, and a run may cross midnight.
   */
  function writeBigFile(): { bigFile: string; expectedBody: Buffer } {
    const bigFile = writeIncidents(
      files.dir,
      `# ${'archived note '.repeat(70)}\n`.repeat(8_000) + `incidents:\n  - date: ${daysAgo(3)}\n`,
      'big.yaml',
    );
    const expectedBody = Buffer.concat([
      Buffer.from('status: 3 days since the last incident\n'),
      readFileSync(bigFile),
    ]);
    return { bigFile, expectedBody };
  }
  afterAll(() => files.remove());

  it('on SIGTERM delivers every reply in flight to its last byte and exits 0', async () => {
    const { bigFile, expectedBody } = writeBigFile();
    const running = await listening(
      { INCIDENTS_FILE: bigFile, INCIDENTS_MAX_BYTES: '16777216', SHUTDOWN_TIMEOUT_MS: '20000' },
      files.dir,
    );
    const clients = [
      new SlowClient(running.port),
      new SlowClient(running.port),
      new SlowClient(running.port),
    ];
    await Promise.all(clients.map((client) => client.ready()));
    for (const client of clients) client.send('/');
    // Let the server take the requests and fill the socket buffers.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const signalled = Date.now();
    running.child.kill('SIGTERM');
    const received = await Promise.all(clients.map((client) => client.readAll()));
    const exit = await running.exited;

    expect(logged(running, 'shutting down')).toMatchObject({ signal: 'SIGTERM', inFlight: 3 });
    for (const stream of received) {
      const [first, ...rest] = responses(stream);
      expect(first.status).toBe(200);
      expect(first.body.equals(expectedBody)).toBe(true);
      expect(rest).toHaveLength(0);
    }
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled).toBeLessThan(20_000);
    expect(logged(running, 'shutdown timeout, closing remaining connections')).toBeUndefined();
  }, 90_000);

  it('closes idle keep-alive connections at once instead of waiting for them', async () => {
    const dir = scratchDir();
    try {
      const file = writeIncidents(dir.dir, `incidents:\n  - date: ${daysAgo(1)}\n`);
      const running = await listening({ INCIDENTS_FILE: file, SHUTDOWN_TIMEOUT_MS: '30000' }, dir.dir);
      const idle = new SlowClient(running.port);
      await idle.ready();
      idle.send('/healthz');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const signalled = Date.now();
      running.child.kill('SIGINT');
      const [stream, exit] = await Promise.all([idle.readAll(), running.exited]);
      expect(responses(stream).map(({ status, body }) => [status, body.toString()])).toEqual([[200, 'ok\n']]);
      expect(exit.code).toBe(0);
      // Well under both the 5 s keep-alive timeout and the shutdown timeout.
      expect(exit.at - signalled).toBeLessThan(4000);
    } finally {
      dir.remove();
    }
  }, 60_000);

  it('forces the remaining connections shut when SHUTDOWN_TIMEOUT_MS runs out, and still exits 0', async () => {
    const { bigFile } = writeBigFile();
    const running = await listening(
      { INCIDENTS_FILE: bigFile, INCIDENTS_MAX_BYTES: '16777216', SHUTDOWN_TIMEOUT_MS: '1000' },
      files.dir,
    );
    const stuck = new SlowClient(running.port);
    await stuck.ready();
    stuck.send('/');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    stuck.socket.destroy();
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeGreaterThanOrEqual(900);
    expect(exit.at - signalled).toBeLessThan(5000);
    expect(logged(running, 'shutdown timeout, closing remaining connections')).toMatchObject({ inFlight: 1 });
  }, 60_000);
});
