import { execa } from 'execa';

/** What a toolchain command that builds or unpacks a tool (go, pip) came to. */
export type ToolchainRun =
  | { outcome: 'done'; stdout: string }
  | { outcome: 'missing' }
  | { outcome: 'failed'; exitCode: number; tail: string };

export interface ToolchainOptions {
  cwd?: string;
  env: Record<string, string | undefined>;
  /** false: `env` is the whole environment (default true: added to this process's). */
  extendEnv?: boolean;
}

/** How many of the last output lines a failure reports. */
const TAIL_LINES = 15;

/**
 * Runs a toolchain command for the tool bootstrap and the cluster build, the one place both go
 * through. A failed Go or pip build states its reason at the end, below pages of progress, so a
 * failure carries the last lines of stdout and stderr together; callers word the remedy.
 */
export async function runToolchain(
  command: string,
  args: readonly string[],
  options: ToolchainOptions,
): Promise<ToolchainRun> {
  const result = await execa(command, args, { ...options, reject: false, all: true });
  if ((result as { code?: string }).code === 'ENOENT') return { outcome: 'missing' };
  if (result.exitCode !== 0) {
    const tail = String(result.all ?? '')
      .trim()
      .split('\n')
      .slice(-TAIL_LINES)
      .join('\n');
    return { outcome: 'failed', exitCode: result.exitCode ?? 1, tail };
  }
  return { outcome: 'done', stdout: String(result.stdout) };
}
