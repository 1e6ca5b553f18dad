import { measure, row, verdict, type LoadOptions, type Measurement, type Route } from './load.js';
import { startListener, stopAll, type Listener } from './processes.js';

const ROUNDS = 2;
const targets = { requestsPerSecond: 12_000, p99Ms: 10, rssMb: 120, ofBare: 0.9, ofHelloNest: 0.8 };

/** The routes that go through Express and Nest, each against NestJS's hello world. */
const NEST_ROUTES: ReadonlyArray<Route & { name: string }> = [
  { name: 'GET / (Accept: application/json)', path: '/', headers: { accept: 'application/json' } },
  { name: 'GET / (the wallboard page)', path: '/', headers: { accept: 'text/html' } },
  { name: 'GET /healthz', path: '/healthz' },
  { name: 'GET /readyz', path: '/readyz' },
  { name: 'GET /metrics', path: '/metrics' },
];

/**
 * Every route of the service under the same load as its yardstick, one server at a time, all
 * started in this run: plain `GET /` against bare node:http serving the same bytes, the Nest routes
 * against a hello-world NestJS app on the same Express adapter. Returns whether every target held.
 */
export async function benchRoutes(serviceDir: string, options: LoadOptions): Promise<boolean> {
  const started: Listener[] = [];
  try {
    const service = await startListener('service', ['dist/index.js'], {
      cwd: serviceDir,
      env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'log' },
    });
    started.push(service);
    const sample = await fetch(`http://127.0.0.1:${service.port}/`);
    const body = Buffer.from(await sample.arrayBuffer());
    const contentType = sample.headers.get('content-type') ?? 'text/plain';
    console.log(`GET /: ${sample.status}, ${body.length} bytes, ${contentType}`);
    const bare = await startListener('bare node:http', ['--import', 'tsx', 'bench/bare-server.ts'], {
      cwd: serviceDir,
      env: {
        BENCH_BODY: body.toString('base64'),
        BENCH_STATUS: String(sample.status),
        BENCH_TYPE: contentType,
      },
    });
    started.push(bare);
    const hello = await startListener('hello-world NestJS', ['--import', 'tsx', 'bench/hello-nest.ts'], {
      cwd: serviceDir,
    });
    started.push(hello);

    const targetsInOrder: Array<{ name: string; server: Listener; route: Route }> = [
      { name: 'service GET /', server: service, route: { path: '/' } },
      // curl's Accept: negotiated among text, JSON and the page, and still answered by the fast lane.
      {
        name: 'service GET / (Accept: */*)',
        server: service,
        route: { path: '/', headers: { accept: '*/*' } },
      },
      { name: 'bare node:http, same bytes', server: bare, route: { path: '/' } },
      { name: 'hello-world NestJS GET /', server: hello, route: { path: '/' } },
      ...NEST_ROUTES.map((route) => ({ name: `service ${route.name}`, server: service, route })),
    ];
    console.log(
      `load: ${options.connections} connections, ${options.warmupSeconds}s warm-up, ${options.seconds}s measured, ` +
        `one server at a time, ${ROUNDS} rounds, the best round of each kept`,
    );
    // Rounds rather than one long run each: load from elsewhere on the machine comes and goes, and
    // should not decide which side of a ratio it lands on.
    const best = new Map<string, Measurement>();
    let firstPlain: Measurement | undefined;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const { name, server, route } of targetsInOrder) {
        const measured = await measure(name, server, route, options);
        firstPlain ??= measured;
        if ((best.get(name)?.rps ?? -1) < measured.rps) best.set(name, measured);
      }
    }
    // Memory as GET / alone leaves it: its first run comes before any other route's load.
    const plainMemory = firstPlain!.memory;
    for (const measured of best.values()) console.log(row(measured));
    const plain = best.get('service GET /')!;
    const yardstick = best.get('bare node:http, same bytes')!;
    const helloWorld = best.get('hello-world NestJS GET /')!;
    const nest = NEST_ROUTES.map((route): [string, Measurement] => [
      route.name,
      best.get(`service ${route.name}`)!,
    ]);

    const verdicts: Array<[string, boolean]> = [];
    const ofBare = plain.rps / yardstick.rps;
    verdicts.push([
      `GET /: ${ofBare.toFixed(2)} of bare node:http (>= ${targets.ofBare})`,
      ofBare >= targets.ofBare,
    ]);
    verdicts.push([
      `GET /: ${plain.rps.toFixed(0)} req/s (>= ${targets.requestsPerSecond})`,
      plain.rps >= targets.requestsPerSecond,
    ]);
    verdicts.push([`GET /: p99 ${plain.p99} ms (< ${targets.p99Ms})`, plain.p99 < targets.p99Ms]);
    const curlOfBare = best.get('service GET / (Accept: */*)')!.rps / yardstick.rps;
    verdicts.push([
      `GET / (Accept: */*): ${curlOfBare.toFixed(2)} of bare node:http (>= ${targets.ofBare})`,
      curlOfBare >= targets.ofBare,
    ]);
    verdicts.push([
      `service peak RSS under GET / ${plainMemory.peak.toFixed(1)} MB (< ${targets.rssMb})`,
      plainMemory.peak < targets.rssMb,
    ]);
    for (const [name, measured] of nest) {
      const ratio = measured.rps / helloWorld.rps;
      verdicts.push([
        `${name}: ${ratio.toFixed(2)} of hello-world NestJS (>= ${targets.ofHelloNest})`,
        ratio >= targets.ofHelloNest,
      ]);
    }
    const failed = [plain, ...nest.map(([, measured]) => measured)].reduce((sum, m) => sum + m.failures, 0);
    verdicts.push([`failed requests to the service: ${failed}`, failed === 0]);
    console.log('verdicts:');
    for (const [what, ok] of verdicts) console.log(`  ${verdict(ok).padEnd(6)} ${what}`);
    return verdicts.every(([, ok]) => ok);
  } finally {
    stopAll(started);
  }
}
