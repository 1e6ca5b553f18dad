import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/**
 * Runs an action the way the runner does, for tests: inputs as `INPUT_<NAME>` environment variables,
 * outputs and the job summary through the files named by `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY`,
 * workflow commands on stdout. `runInProcess` calls an imported `run()`; `runBundle` starts the
 * committed `dist/index.js` as a separate node process, exactly as `runs.main` is started.
 */
export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** Messages of `::error::` commands, i.e. why the step failed. */
  errors: string[];
  warnings: string[];
}

export type Inputs = Record<string, string | number | boolean | undefined>;

function inputEnv(inputs: Inputs): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value);
  }
  return env;
}

function prepareFiles() {
  const dir = mkdtempSync(path.join(tmpdir(), 'action-run-'));
  const output = path.join(dir, 'output');
  const summary = path.join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  return { dir, output, summary };
}

/** Reads the `name<<DELIMITER … DELIMITER` records that `core.setOutput` appends to `GITHUB_OUTPUT`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const [, name, delimiter] = m;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      outputs[name] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return outputs;
}

function commands(stdout: string, kind: string): string[] {
  const re = new RegExp(`^::${kind}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(re)].map((m) =>
    m[1].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
  );
}

function collect(
  stdout: string,
  stderr: string,
  exitCode: number,
  files: { output: string; summary: string },
): ActionRun {
  return {
    exitCode,
    outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    stdout,
    stderr,
    errors: commands(stdout, 'error'),
    warnings: commands(stdout, 'warning'),
  };
}

/**
 * Calls `run` with the inputs in the environment and captures what it writes to stdout. Each run
 * has its own output and summary files, as each step has on a runner. The environment, the working
 * directory and `process.exitCode` are restored afterwards so tests stay independent.
 */
export async function runInProcess(
  run: () => Promise<void>,
  inputs: Inputs,
  env: Record<string, string | undefined> = {},
  options: { cwd?: string } = {},
): Promise<ActionRun> {
  const files = prepareFiles();
  const vars = {
    ...inputEnv(inputs),
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    ...env,
  };
  const saved = new Map<string, string | undefined>();
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) saved.set(key, process.env[key]);
  for (const key of Object.keys(vars)) saved.set(key, process.env[key]);
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  const exitBefore = process.exitCode;
  const cwdBefore = process.cwd();
  process.exitCode = 0;
  try {
    if (options.cwd) process.chdir(options.cwd);
    await run();
    return collect(stdout, '', Number(process.exitCode ?? 0), files);
  } finally {
    process.chdir(cwdBefore);
    process.stdout.write = write;
    process.exitCode = exitBefore;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(files.dir, { recursive: true, force: true });
  }
}

/** Starts `node <bundle>` with only the given inputs and environment (plus PATH and HOME). */
export async function runBundle(
  bundle: string,
  inputs: Inputs,
  env: Record<string, string | undefined> = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ActionRun> {
  const files = prepareFiles();
  try {
    const child = await execa(process.execPath, [bundle], {
      cwd: options.cwd,
      extendEnv: false,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...inputEnv(inputs),
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        ...env,
      },
      reject: false,
      timeout: options.timeoutMs ?? 120_000,
    });
    return collect(String(child.stdout), String(child.stderr), child.exitCode ?? -1, files);
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
}

/** A fresh temporary directory removed by the returned function. */
export function tempDir(prefix = 'incidents-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
