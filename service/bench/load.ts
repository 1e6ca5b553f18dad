import autocannon from 'autocannon';
import { memoryOf, type Listener } from './processes.js';

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Requests per second over all connections; unset, as many as the server answers. */
  readonly rate?: number;
}

export interface Route {
  readonly path: string;
  readonly headers?: Record<string, string>;
}

export interface Measurement {
  readonly label: string;
  readonly rps: number;
  readonly p99: number;
  readonly total: number;
  readonly failures: number;
  readonly memory: { rss: number; peak: number };
}

function run(port: number, route: Route, options: LoadOptions, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}${route.path}`,
    headers: route.headers,
    connections: options.connections,
    duration: seconds,
    // Paced per connection: autocannon's overall rate sends in bursts that queue behind each other.
    ...(options.rate === undefined ? {} : { connectionRate: options.rate / options.connections }),
  });
}

/** Loads one route of one server: a warm-up, then the measured run. */
export async function measure(
  label: string,
  server: Listener,
  route: Route,
  options: LoadOptions,
): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(server.port, route, options, options.warmupSeconds);
  const result = await run(server.port, route, options, options.seconds);
  return {
    label,
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
    memory: memoryOf(server.child.pid!),
  };
}

export function row(m: Measurement): string {
  return (
    `${m.label.padEnd(44)} ${m.rps.toFixed(0).padStart(7)} req/s   p99 ${String(m.p99).padStart(4)} ms   ` +
    `${String(m.total).padStart(7)} requests, ${m.failures} failed   RSS ${m.memory.rss.toFixed(1)} MB (peak ${m.memory.peak.toFixed(1)} MB)`
  );
}

export function verdict(ok: boolean): string {
  return ok ? 'ok' : 'MISSED';
}
