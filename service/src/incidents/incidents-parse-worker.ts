import { isMainThread, parentPort, Worker, workerData, type ResourceLimits } from 'node:worker_threads';
import { parseIncidents, type ParsedIncidents } from './incidents-parser.js';

const ROLE = 'incidents-parser';

interface ParseJob {
  readonly role: typeof ROLE;
  /** The file's bytes: decoded here, so the main thread never holds the file as a string. */
  readonly bytes: Uint8Array;
}

function isParseJob(data: unknown): data is ParseJob {
  return typeof data === 'object' && data !== null && (data as Partial<ParseJob>).role === ROLE;
}

/** The worker's side: parses the one file it was given and hands the result over without copies. */
function parseJob({ bytes }: ParseJob): void {
  const parsed = parseIncidents(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  );
  const transfer = parsed.ok ? [parsed.incidentsJson.buffer, parsed.days.buffer, parsed.ends.buffer] : [];
  parentPort?.postMessage(parsed, transfer as ArrayBuffer[]);
}

// This very module, loaded again inside the worker, runs its one job there.
if (!isMainThread && isParseJob(workerData)) parseJob(workerData);

/**
 * The worker's heap, sized by measurement. The densest 1 MiB files (one bare date or flow entry per
 * 11-13 bytes) parse with 28 MB of old generation next to an 8 MB young one; 48 leaves room to
 * spare, and a 16 MB young generation only raised the peak. In a container with the chart's
 * default resources (192Mi, 500m CPU) the service then peaked at 105 MiB while the dense file was
 * replaced every second under load; a file that needs more heap than this fails as a rejected
 * reload instead of growing the pod until it is OOM-killed.
 */
export const PARSE_WORKER_LIMITS: ResourceLimits = {
  maxOldGenerationSizeMb: 48,
  maxYoungGenerationSizeMb: 8,
};

export interface ParseOptions {
  /** The parse, worker start included, is ended after this long and counts as rejected. */
  readonly timeoutMs: number;
  /** Ends the parse at once: the service is shutting down. */
  readonly signal?: AbortSignal;
}

/**
 * How the worker loads this module. The service's bundle holds it, so the worker imports the
 * bundle (main.ts starts nothing off the main thread). From the TypeScript sources, as the tests
 * run them, the worker needs the repository's TypeScript loader, tsx, to import the same file.
 */
function workerSource(module: string): string {
  const url = JSON.stringify(module);
  return module.endsWith('.ts')
    ? `import('tsx/esm/api').then(({ tsImport }) => tsImport(${url}, ${url}))`
    : `import(${url})`;
}

function refused(reason: string): ParsedIncidents {
  return { ok: false, reason };
}

function workerFailure(error: Error & { code?: string }): string {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `parsing the file needs more than the parser's ${PARSE_WORKER_LIMITS.maxOldGenerationSizeMb} MB of heap`;
  }
  return `the incidents parser failed: ${error.message.split('\n', 1)[0]}`;
}

/**
 * Parses in a worker thread that lives for this one parse: a dense file near 1 MiB would stall
 * every request on the main thread for as long. Never rejects: a parse that runs out of time or
 * memory, crashes or is aborted resolves as a refusal with its reason, and the worker is gone
 * (terminated and exited) by the time the promise settles.
 */
export function parseInWorker(bytes: Uint8Array, options: ParseOptions): Promise<ParsedIncidents> {
  const { timeoutMs, signal } = options;
  if (signal?.aborted) return Promise.resolve(refused('the parse was stopped: the service is shutting down'));
  const job: ParseJob = { role: ROLE, bytes };
  const worker = new Worker(workerSource(import.meta.url), {
    eval: true,
    workerData: job,
    resourceLimits: PARSE_WORKER_LIMITS,
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  return new Promise<ParsedIncidents>((resolve) => {
    timer = setTimeout(
      () => resolve(refused(`parsing took longer than ${timeoutMs} ms (INCIDENTS_PARSE_TIMEOUT_MS)`)),
      timeoutMs,
    );
    onAbort = () => resolve(refused('the parse was stopped: the service is shutting down'));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', resolve);
    worker.once('error', (error) => resolve(refused(workerFailure(error))));
    worker.once('exit', (code) => resolve(refused(`the incidents parser stopped with exit code ${code}`)));
  }).finally(async () => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  });
}
