import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A server process of the bench, and the JSON lines it has logged so far. */
export interface Listener {
  readonly label: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: Array<Record<string, unknown>>;
}

/**
 * Starts a node process that logs JSON lines and one `{ "message": "listening", "port": N }` once
 * it listens. Its log keeps being collected, so the bench can count what the server did.
 */
export function startListener(
  label: string,
  argv: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Listener> {
  const child = spawn(process.execPath, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let pending = '';
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue; // not a log line
        }
        logs.push(record);
        if (record.message === 'listening' && typeof record.port === 'number') {
          resolve({ label, child, port: record.port, logs });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} before listening`)));
  });
}

/** Resident and peak resident memory of a process, in MB. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

export function stopAll(listeners: readonly Listener[]): void {
  for (const { child } of listeners) child.kill('SIGTERM');
}
