import path from 'node:path';
import { execa } from 'execa';
import { ActionError, MissingToolError } from './errors.js';
import { log } from './log.js';
import { TOOL_PINS } from './tools.js';

/**
 * The one way the pipeline runs external tools (git, docker, kind, helm, kubectl): an argument array
 * and never a shell string, so no value can be re-parsed as shell syntax; secrets registered for
 * masking before the process starts; output shown in a collapsible group; a timeout; and a failure
 * reduced to the line of stderr that says what went wrong.
 */
export interface RunOptions {
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string | undefined>;
  /** Written to the tool's stdin (how secrets reach a tool without touching argv). */
  input?: string | Buffer;
  /** Kill the tool after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Values to mask in every log line from now on. */
  secrets?: readonly string[];
  /** Group title; default `$ tool args…`. `false`: run silently (machine-read output such as JSON). */
  group?: string | false;
  /** Return a failed result instead of throwing (for probes such as `helm status` of a new release). */
  allowFailure?: boolean;
  /** Aborting it sends the tool SIGTERM: how a caller stops a tool that waits for something that cannot come. */
  cancelSignal?: AbortSignal;
  /**
   * How long a stopped (cancelled or timed out) tool may take to wind down before SIGKILL; default 5 s.
   * Helm needs longer: on SIGTERM it marks the release failed and may roll it back first.
   */
  stopGraceMs?: number;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Stopped through `cancelSignal`. */
  canceled: boolean;
}

/** How to install each tool the pipeline drives, for the error that says it is missing. */
const INSTALL_HINTS: Record<string, string> = {
  git: 'Install git (https://git-scm.com/downloads) or use a runner image that has it.',
  docker: 'Install Docker (https://docs.docker.com/engine/install/) and make sure the daemon is running.',
  kind: 'Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); `npm run init` installs it for you.',
  helm: `Install Helm ${TOOL_PINS.helm.version} (\`npm run tools\` builds it), or in a workflow use Azure/setup-helm with version ${TOOL_PINS.helm.version}.`,
  kubectl: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/); kind clusters need no other setup.',
};

export class ToolError extends ActionError {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly result: RunResult,
  ) {
    super(message);
  }
}

export async function runTool(
  tool: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  for (const secret of options.secrets ?? []) if (secret) log().setSecret(secret);
  // A tool may be given by path (the locator's answer); messages name it as people know it.
  const name = path.basename(tool);
  const command = [tool, ...args].join(' ');
  const show = options.group !== false;
  const echo = function* (line: unknown) {
    if (show) log().info(String(line));
    yield line;
  };

  const execute = async (): Promise<RunResult> => {
    const started = Date.now();
    const child = await execa(tool, [...args], {
      cwd: options.cwd,
      env: options.env,
      input: options.input,
      timeout: options.timeoutMs ?? 10 * 60_000,
      forceKillAfterDelay: options.stopGraceMs ?? 5_000,
      cancelSignal: options.cancelSignal,
      reject: false,
      stripFinalNewline: true,
      stdout: echo,
      stderr: echo,
    });
    if ((child as { code?: string }).code === 'ENOENT') {
      throw new MissingToolError(name, INSTALL_HINTS[name] ?? `Install ${name} and put it on PATH.`);
    }
    return {
      command,
      exitCode: child.exitCode ?? -1,
      stdout: String(child.stdout ?? ''),
      stderr: String(child.stderr ?? ''),
      durationMs: Date.now() - started,
      timedOut: Boolean(child.timedOut),
      canceled: Boolean(child.isCanceled),
    };
  };

  const result = show ? await log().group(options.group || `$ ${command}`, execute) : await execute();
  if (result.exitCode !== 0 && !options.allowFailure) {
    const what = `${name} ${args.find((a) => !a.startsWith('-')) ?? ''}`.trim();
    if (result.timedOut) {
      throw new ToolError(
        `${what} timed out after ${Math.round((options.timeoutMs ?? 600_000) / 1000)}s`,
        result,
      );
    }
    const line = meaningfulLine(result.stderr, result.stdout);
    if (result.canceled) throw new ToolError(`${what} was stopped: ${line}`, result);
    throw new ToolError(`${what} failed (exit ${result.exitCode}): ${line}${fixFor(line)}`, result);
  }
  return result;
}

/**
 * The fix for a failure people meet often and the tool's own line does not name. Kubernetes' RBAC
 * refusal says who was refused what, but not that the deployer's Role is where it is granted.
 */
export function fixFor(line: string): string {
  const forbidden =
    /forbidden: User "([^"]+)" cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(
      line,
    );
  if (!forbidden) return '';
  const [, user, verb, resource, group, namespace] = forbidden;
  const where = namespace ? `namespace ${namespace}` : 'the cluster scope';
  return (
    `. The cluster's RBAC refused ${user} to ${verb} ${group ? `${resource}.${group}` : resource} in ${where}: ` +
    'deploy into the namespace its Role covers (the KUBE_NAMESPACE variable), or grant that verb in the ' +
    "deployer's Role (docs/examples/deployer-rbac.yaml, docs/environments.md)"
  );
}

/**
 * The line of a tool's output that explains a failure. Tools print warnings, progress and usage text
 * around the real error; the last line that reads like an error is the one a person would quote.
 */
export function meaningfulLine(stderr: string, stdout = ''): string {
  const lines = `${stderr}\n${stdout}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const errorLike = lines.filter(
    (l) => /^(error|fatal|ERROR|Error)\b|\berror:/i.test(l) && !/^warning/i.test(l),
  );
  const pick =
    errorLike.at(-1) ?? lines.filter((l) => !/^(warning|WARN|hint:)/i.test(l)).at(-1) ?? lines.at(-1);
  return (pick ?? 'no output').replace(/^(error|fatal):\s*/i, '').slice(0, 500);
}
