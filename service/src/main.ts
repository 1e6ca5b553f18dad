import { isMainThread } from 'node:worker_threads';
// Imported here, in the bundle's entry chunk: the incidents parse worker imports the bundle itself
// (incidents-parse-worker.ts), and this module is what it runs there.
import './incidents/incidents-parse-worker.js';

/**
 * Only the main thread starts the service. Everything it needs (Nest, Express, prom-client) is
 * imported from here on demand, so the bundle splits it into a chunk of its own that a parse worker
 * never loads: a worker that evaluated the whole bundle took about 0.5 s longer to start and
 * 30 MB more memory for every parse.
 */
if (isMainThread) {
  import('./serve.js')
    .then(({ serve }) => serve())
    .catch((error: unknown) => {
      process.stderr.write(
        `incidents-service: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    });
}
