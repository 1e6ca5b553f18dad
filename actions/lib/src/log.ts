import * as core from '@actions/core';

/**
 * Where progress goes. In a workflow that is the runner's log (annotations, collapsible groups,
 * masking); from the local CLI it is a plain terminal, where `::group::` lines would be noise. The
 * same library code runs in both, so it logs through this interface and never calls `core` directly.
 */
export interface Log {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a value that must never appear in the log. */
  setSecret(value: string): void;
}

export const actionsLog: Log = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
  setSecret: (v) => core.setSecret(v),
};

/** Plain terminal output for the local CLI; secrets are redacted from every line it prints. */
export function createConsoleLog(stream: NodeJS.WritableStream = process.stderr): Log {
  const secrets = new Set<string>();
  const redact = (m: string) => {
    let out = m;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  const write = (prefix: string, m: string) => stream.write(`${prefix}${redact(m)}\n`);
  return {
    info: (m) => write('', m),
    warning: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
    debug: (m) => {
      if (process.env.DEBUG) write('debug: ', m);
    },
    group: async (title, fn) => {
      write('▸ ', title);
      return fn();
    },
    setSecret: (v) => {
      if (v) secrets.add(v);
    },
  };
}

let current: Log = actionsLog;

/** The log the library writes to: the runner's by default, the console's once the CLI says so. */
export function log(): Log {
  return current;
}

export function useLog(next: Log): void {
  current = next;
}
