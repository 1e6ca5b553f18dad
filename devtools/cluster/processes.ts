import { closeSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The cluster's daemons: started detached with their output in a log file, remembered by a pid file,
 * recognised by the executable they run (a recycled pid is not mistaken for ours), and stopped by
 * that pid only.
 */

export interface Daemon {
  name: string;
  binary: string;
  args: string[];
  env?: Record<string, string>;
}

export interface DaemonDirs {
  pids: string;
  logs: string;
}

export function logFile(dirs: DaemonDirs, name: string): string {
  return path.join(dirs.logs, `${name}.log`);
}

export async function startDaemon(dirs: DaemonDirs, daemon: Daemon): Promise<number> {
  await mkdir(dirs.pids, { recursive: true });
  await mkdir(dirs.logs, { recursive: true });
  const fd = openSync(logFile(dirs, daemon.name), 'w');
  try {
    // node's spawn rather than execa here: a daemon must get the log file's descriptor itself and
    // outlive this command, and execa routes file output through the parent (its types allow only
    // descriptors 3-9). Still an argument array, never a shell.
    const child = spawn(daemon.binary, daemon.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: daemon.env ? { ...process.env, ...daemon.env } : process.env,
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${daemon.name} (${daemon.binary})`);
    await writeFile(path.join(dirs.pids, daemon.name), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The pid of a daemon if it runs the executable it was started with. */
export function runningPid(dirs: DaemonDirs, daemon: Pick<Daemon, 'name' | 'binary'>): number | undefined {
  const file = path.join(dirs.pids, daemon.name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && executableOf(pid) === daemon.binary ? pid : undefined;
}

export function executableOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is gone for our purposes.
    return !/\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(pid)) await sleep(20);
  }
}

export async function stopDaemon(dirs: DaemonDirs, daemon: Pick<Daemon, 'name' | 'binary'>, graceMs = 5_000) {
  const pid = runningPid(dirs, daemon);
  if (pid !== undefined) await stopPid(pid, graceMs);
  await rm(path.join(dirs.pids, daemon.name), { force: true });
}

/** Every process whose executable is one of `binaries` (the containerd shims start themselves). */
export function pidsRunning(binaries: readonly string[]): number[] {
  const wanted = new Set(binaries);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const exe = executableOf(Number(entry));
    if (exe && wanted.has(exe)) pids.push(Number(entry));
  }
  return pids;
}

/** Resident memory of a process in MiB (VmRSS), 0 when it is gone. */
export function residentMiB(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}
