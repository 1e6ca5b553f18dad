// Shared by the stand-in tools: every call is appended to STANDIN_RECORD (argv, plus the mode and text
// of each values file, which only exist while the call runs, and a few environment variables), and the simulated world is the JSON
// file STANDIN_STATE, read and written back by each call.
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';

export function loadState() {
  return JSON.parse(readFileSync(process.env.STANDIN_STATE, 'utf8'));
}

export function saveState(state) {
  writeFileSync(process.env.STANDIN_STATE, JSON.stringify(state, null, 2));
}

export function record(tool, args) {
  const files = [];
  args.forEach((arg, i) => {
    if ((arg === '--values' || arg === '-f') && args[i + 1]) {
      const file = args[i + 1];
      try {
        files.push({ file, mode: statSync(file).mode & 0o777, text: readFileSync(file, 'utf8') });
      } catch (error) {
        files.push({ file, error: String(error) });
      }
    }
  });
  // The environment that changes how a tool behaves, for asserting on how it was called.
  const env = {};
  for (const name of ['DOCKER_BUILDKIT', 'SOURCE_DATE_EPOCH']) env[name] = process.env[name];
  appendFileSync(process.env.STANDIN_RECORD, JSON.stringify({ tool, args, files, env }) + '\n');
}

/** The value after a flag (`--flag value` or `--flag=value`). */
export function flag(args, name) {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq === undefined ? undefined : eq.slice(name.length + 1);
}

/** Positional arguments, skipping flags and the values of flags that take one. */
export function positionals(args, flagsWithValue) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-')) {
      if (!a.includes('=') && flagsWithValue.includes(a)) i++;
    } else out.push(a);
  }
  return out;
}

export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
