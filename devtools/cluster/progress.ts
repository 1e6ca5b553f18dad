/**
 * Progress of the cluster command, on stderr with the time since start, so that stdout carries only
 * the `export` lines a shell evaluates.
 */
const started = Date.now();

export function progress(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}
