import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { denseIncidents } from '@incidents-pipeline/test-support/dense-incidents';
import { measure, row, verdict, type LoadOptions } from './load.js';
import { memoryOf, startListener, stopAll, type Listener } from './processes.js';

const P99_TARGET_MS = 50;
/** Just under INCIDENTS_MAX_BYTES: the largest file the service accepts, and the slowest to parse. */
const FILE_BYTES = 1_040_000;
const SWAP_EVERY_MS = 1_000;
const MIN_SECONDS = 15;
/**
 * Steady traffic of dashboards and probes rather than all the routes can take: every `/` answer
 * carries the whole 1 MiB file, and at hundreds per second the load generator, which shares the
 * process that times `/healthz`, would mostly measure itself parsing them.
 */
const ROOT_PER_SECOND = 20;
const HEALTH_PER_SECOND = 200;
const CONNECTIONS = 10;

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/**
 * The memory limit of the chart's default resources, in MiB (the unit memoryOf reports as MB): the
 * peak memory of a pod that parses the dense file must stay under it, or the pod is OOM-killed.
 */
function chartMemoryLimitMb(serviceDir: string): number {
  const values = loadYaml(readFileSync(join(serviceDir, '..', 'chart', 'values.yaml'), 'utf8')) as {
    resources?: { limits?: { memory?: string } };
  };
  const limit = values.resources?.limits?.memory ?? '';
  const match = /^(\d+)Mi$/.exec(limit);
  if (!match)
    throw new Error(
      `chart/values.yaml resources.limits.memory: expected <N>Mi, got ${JSON.stringify(limit)}`,
    );
  return Number(match[1]);
}

/**
 * The highest anonymous resident memory of a process, sampled every 20 ms until stopped, in MiB.
 * VmHWM also counts the pages of the node binary and its libraries, which are file-backed: shared
 * with every other node process and reclaimable, so a container's memory limit mostly does not
 * charge them. Anonymous memory (heaps, buffers) is what the limit's OOM killer acts on.
 */
function sampleAnonymousPeak(pid: number): () => number {
  let peak = 0;
  const sample = () => {
    const kb = Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  };
  sample();
  const timer = setInterval(sample, 20);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

/** The parse times the service logged for its loads, in milliseconds. */
function parseTimes(service: Listener): number[] {
  return service.logs
    .filter((record) => record.message === 'incidents file loaded' && typeof record.parseMs === 'number')
    .map((record) => record.parseMs as number);
}

/**
 * Loads `/` and `/healthz` at the same time while the incidents file, a dense one near 1 MiB, is
 * replaced again and again the way the kubelet does it (a new file renamed over the old one), and
 * checks that neither route's p99 reaches 50 ms while the service re-reads it, and that the peak
 * memory of the whole process, parse workers included, stays under the chart's memory limit.
 */
export async function benchReload(serviceDir: string, options: LoadOptions): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'incidents-bench-'));
  const file = join(dir, 'incidents.yaml');
  const versions = [denseIncidents(FILE_BYTES, isoDaysAgo(3)), denseIncidents(FILE_BYTES, isoDaysAgo(4))];
  writeFileSync(file, versions[0]);
  let swaps = 0;
  const swap = () => {
    swaps += 1;
    writeFileSync(`${file}.next`, versions[swaps % 2]);
    renameSync(`${file}.next`, file);
  };
  const started: Listener[] = [];
  try {
    const service = await startListener('service', ['dist/index.js'], {
      cwd: serviceDir,
      env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'log', INCIDENTS_FILE: file },
    });
    started.push(service);
    const loads = () => parseTimes(service).length;
    const memoryLimitMb = chartMemoryLimitMb(serviceDir);
    const afterStart = memoryOf(service.child.pid!);
    const anonymousPeak = sampleAnonymousPeak(service.child.pid!);
    console.log(
      `reload: ${versions[0].length}-byte dense file replaced every ${SWAP_EVERY_MS} ms; ` +
        `${ROOT_PER_SECOND} req/s on / and ${HEALTH_PER_SECOND} on /healthz at once, ${CONNECTIONS} connections each, ` +
        `${Math.max(options.seconds, MIN_SECONDS)}s measured without reloads, then as long with them`,
    );
    // Long enough for more than one reload of the dense file to complete on a busy machine.
    const seconds = Math.max(options.seconds, MIN_SECONDS);
    const load = (rate: number) => ({ seconds, warmupSeconds: 0, connections: CONNECTIONS, rate });
    const bothRoutes = (when: string) =>
      Promise.all([
        measure(`service GET / ${when}`, service, { path: '/' }, load(ROOT_PER_SECOND)),
        measure(`service GET /healthz ${when}`, service, { path: '/healthz' }, load(HEALTH_PER_SECOND)),
      ]);
    // The same load without reloads first: what this machine gives anyway, to read the rest against.
    const quiet = await bothRoutes('without reloads');
    const loadsAtStart = loads();
    const swapping = setInterval(swap, SWAP_EVERY_MS);
    const [root, health] = await bothRoutes('during reloads');
    clearInterval(swapping);
    const reloads = loads() - loadsAtStart;
    const peakMb = memoryOf(service.child.pid!).peak;
    const anonymousMb = anonymousPeak();
    const times = parseTimes(service);
    for (const measured of [...quiet, root, health]) console.log(row(measured));
    // The service logs the parse's wall time, worker start included, for every load.
    console.log(
      `dense file: parse ${times[0]} ms at start, then ${describeTimes(times.slice(1))} during reloads; ` +
        `peak RSS ${afterStart.peak.toFixed(1)} MB after the first load, ${peakMb.toFixed(1)} MB at the end ` +
        `(anonymous memory, sampled during the measurement: ${anonymousMb.toFixed(1)} MB at its peak)`,
    );
    const verdicts: Array<[string, boolean]> = [
      [`reloads completed during the measurement: ${reloads}`, reloads > 0],
      [
        `peak anonymous memory ${anonymousMb.toFixed(1)} MB (< the chart's memory limit, ${memoryLimitMb} MiB)`,
        anonymousMb < memoryLimitMb,
      ],
      [`GET /: p99 ${root.p99} ms during reloads (< ${P99_TARGET_MS})`, root.p99 < P99_TARGET_MS],
      [`GET /healthz: p99 ${health.p99} ms during reloads (< ${P99_TARGET_MS})`, health.p99 < P99_TARGET_MS],
      [`failed requests: ${root.failures + health.failures}`, root.failures + health.failures === 0],
    ];
    console.log('verdicts:');
    for (const [what, ok] of verdicts) console.log(`  ${verdict(ok).padEnd(6)} ${what}`);
    return verdicts.every(([, ok]) => ok);
  } finally {
    stopAll(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

function describeTimes(times: readonly number[]): string {
  if (times.length === 0) return 'none';
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms over ${sorted.length}`;
}
