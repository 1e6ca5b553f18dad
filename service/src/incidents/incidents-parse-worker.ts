import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseIncidents, type ParsedIncidents } from './incidents-parser.js';

const ROLE = 'incidents-parser';

interface ParseJob {
  readonly role: typeof ROLE;
  readonly text: string;
}

function isParseJob(data: unknown): data is ParseJob {
  return typeof data === 'object' && data !== null && (data as Partial<ParseJob>).role === ROLE;
}

// The worker's side: this very module, loaded again inside the worker, parses its one text.
if (!isMainThread && isParseJob(workerData)) parentPort?.postMessage(parseIncidents(workerData.text));

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

/**
 * Parses in a worker thread that lives for this one parse. A dense file near 1 MiB takes the YAML
 * parser seconds; on the main thread that would stall every request for as long.
 */
export function parseInWorker(text: string): Promise<ParsedIncidents> {
  const job: ParseJob = { role: ROLE, text };
  const worker = new Worker(workerSource(import.meta.url), { eval: true, workerData: job });
  return new Promise<ParsedIncidents>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the incidents parser stopped with exit code ${code}`)));
  }).finally(() => void worker.terminate());
}
