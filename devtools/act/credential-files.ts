import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSecretKey } from '@incidents-pipeline/actions-lib/deploy-values';

/**
 * Secrets out of act's command line. `-s NAME=value` and `--var NAME=value` put the value in act's
 * argv, which every local user can read in the process list for as long as the run lasts (the act
 * tests pass the deployer's kubeconfig that way). So before act starts, every `-s NAME=value`, and
 * every `--var` whose name says it is a credential (password, token, secret, key, ...),
 * moves into a dotenv file in a private directory (0700, file 0600) that act reads through
 * `--secret-file` / `--var-file`; `remove()` deletes the directory once act has exited.
 *
 * act reads `-s` flags before the file and keeps a flag's value over the file's, and later lines of a
 * file over earlier ones; so a file the caller named (or act's default `.secrets` / `.vars` in the
 * working directory) is copied in first and the moved pairs follow it: the same values win as before.
 * `-s NAME` without a value (act takes it from its environment) stays as it is.
 */

export interface CredentialFiles {
  /** act's arguments with the moved pairs replaced by `--secret-file` / `--var-file`. */
  args: string[];
  /** The private directory, or undefined when nothing was moved. */
  dir: string | undefined;
  /** Removes the directory and the files in it; safe to call more than once. */
  remove(): void;
}

interface Flag {
  kind: 'secret' | 'var';
  /** Where the caller names its own file, and act's default file (relative to the working dir). */
  fileFlags: readonly string[];
  defaultFile: string;
}

const SECRET: Flag = { kind: 'secret', fileFlags: ['--secret-file'], defaultFile: '.secrets' };
const VAR: Flag = { kind: 'var', fileFlags: ['--var-file'], defaultFile: '.vars' };

/** `-s X`, `--secret X`, `-s=X`, `--secret=X` (and the same for `--var`): the flag and its value. */
function pairFlag(
  args: readonly string[],
  i: number,
): { flag: Flag; value: string; width: number } | undefined {
  const arg = args[i];
  const forms: [Flag, string[]][] = [
    [SECRET, ['-s', '--secret']],
    [VAR, ['--var']],
  ];
  for (const [flag, names] of forms) {
    if (names.includes(arg) && i + 1 < args.length) return { flag, value: args[i + 1], width: 2 };
    const name = names.find((n) => arg.startsWith(`${n}=`));
    if (name) return { flag, value: arg.slice(name.length + 1), width: 1 };
  }
  return undefined;
}

/** The file named with `--secret-file` / `--var-file` (the last one, as act keeps), and its indexes. */
function namedFile(args: readonly string[], flag: Flag): { file?: string; indexes: number[] } {
  let file: string | undefined;
  const indexes: number[] = [];
  args.forEach((arg, i) => {
    for (const name of flag.fileFlags) {
      if (arg === name && i + 1 < args.length) {
        file = args[i + 1];
        indexes.push(i, i + 1);
      } else if (arg.startsWith(`${name}=`)) {
        file = arg.slice(name.length + 1);
        indexes.push(i);
      }
    }
  });
  return { file, indexes };
}

/**
 * One dotenv line that act's parser (godotenv) reads back as exactly `value`. Single quotes keep
 * the text raw (newlines, `$`, backslashes included); a value with a single quote goes in double
 * quotes, where `\`, `"`, `$`, newline and carriage return are escaped.
 */
export function dotenvLine(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
    throw new Error(`'${name}' is not a name act can read from a secret or variable file`);
  }
  if (!value.includes("'")) return `${name}='${value}'`;
  if (value.endsWith('\\')) {
    // godotenv takes `\"` for an escaped quote, so such a value could not be closed.
    throw new Error(
      `the value of ${name} holds a single quote and ends with a backslash, which a secret file cannot carry; pass it as -s ${name} from the environment`,
    );
  }
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\$/g, '\\$')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `${name}="${escaped}"`;
}

export function moveCredentialsToFiles(userArgs: readonly string[], workdir: string): CredentialFiles {
  const moved: Record<Flag['kind'], [string, string][]> = { secret: [], var: [] };
  const keep: string[] = [];
  for (let i = 0; i < userArgs.length;) {
    const pair = pairFlag(userArgs, i);
    const eq = pair?.value.indexOf('=') ?? -1;
    const name = pair && eq > 0 ? pair.value.slice(0, eq) : '';
    const value = pair && eq > 0 ? pair.value.slice(eq + 1) : '';
    // Empty secrets move too: a flag would win over the file, so `-s GITHUB_TOKEN=` left in argv
    // would blank a GITHUB_TOKEN given later with a value.
    const moves =
      pair !== undefined &&
      eq > 0 &&
      (pair.flag.kind === 'secret' || (pair.flag.kind === 'var' && isSecretKey(name)));
    if (moves) {
      // act upper-cases the names of `-s` secrets.
      moved[pair.flag.kind].push([pair.flag.kind === 'secret' ? name.toUpperCase() : name, value]);
      i += pair.width;
    } else {
      keep.push(userArgs[i]);
      i += 1;
    }
  }
  if (moved.secret.length === 0 && moved.var.length === 0) {
    return { args: [...userArgs], dir: undefined, remove: () => undefined };
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'act-credentials-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    let args = keep;
    for (const flag of [SECRET, VAR]) {
      const pairs = moved[flag.kind];
      if (pairs.length === 0) continue;
      const named = namedFile(args, flag);
      const earlier = path.resolve(workdir, named.file ?? flag.defaultFile);
      const lines = [
        ...(existsSync(earlier) ? [readFileSync(earlier, 'utf8')] : []),
        ...pairs.map(([n, v]) => dotenvLine(n, v)),
      ];
      const file = path.join(dir, `${flag.kind}s.env`);
      // 0600 from the start (`wx` creates it; the umask can only remove bits), in a 0700 directory.
      writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
      args = args.filter((_, i) => !named.indexes.includes(i));
      args.push(flag.fileFlags[0], file);
    }
    return { args, dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
