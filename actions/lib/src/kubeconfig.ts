import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { ActionError, InputError } from './errors.js';

/**
 * A kubeconfig handed to a workflow as an environment secret (`KUBECONFIG`, or `KUBECONFIG_B64` for
 * stores that mangle newlines), turned into a private file the tools can use. The text holds the
 * cluster's credentials, so: every secret-bearing part is found before anything is printed (the
 * caller masks them), no error message ever quotes the text, and the file is 0600 in a 0700 directory
 * of its own, so removing the directory removes every trace.
 */

/** The name of the file inside its private directory. */
export const KUBECONFIG_FILE = 'kubeconfig';

/** Shortest value worth masking: the runner would otherwise redact common short words everywhere. */
const MIN_SECRET_LENGTH = 6;

/** `users[].user` fields that are credentials themselves. */
const CREDENTIAL_FIELDS = ['token', 'password', 'client-key-data'] as const;
/** `auth-provider.config` keys that hold tokens or client secrets. */
const AUTH_PROVIDER_SECRET = /token|secret|password/i;

export interface KubeconfigSource {
  /** The kubeconfig text as given (the `kubeconfig` input). */
  text?: string;
  /** The kubeconfig base64-encoded (the `kubeconfig-b64` input). */
  base64?: string;
}

export interface CheckOptions {
  /**
   * Accept users with an `exec` credential plugin or an `auth-provider`. Off by default: an exec plugin
   * runs a program the file names, with the step's environment, whenever a tool needs a credential.
   */
  allowExec?: boolean;
}

const OPT_IN = 'use a token or client certificate, or set allow-exec: true if you trust the file';

export interface KubeconfigFacts {
  contexts: string[];
  currentContext: string;
}

/** The kubeconfig text from exactly one of its two forms; the error names the input, never its value. */
export function kubeconfigText(source: KubeconfigSource): string {
  const text = source.text?.trim() ? source.text : undefined;
  const base64 = source.base64?.trim() ? source.base64.replace(/\s+/g, '') : undefined;
  if (text !== undefined && base64 !== undefined) {
    throw new InputError('kubeconfig', "give either 'kubeconfig' or 'kubeconfig-b64', not both");
  }
  if (text !== undefined) return text;
  if (base64 === undefined) {
    throw new InputError(
      'kubeconfig',
      "is empty, and so is 'kubeconfig-b64': set the environment's KUBECONFIG or KUBECONFIG_B64 secret",
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 === 1) {
    throw new InputError('kubeconfig-b64', 'is not base64 (encode the file with `base64 -w0`)');
  }
  const decoded = Buffer.from(base64, 'base64').toString('utf8');
  if (decoded.includes('\uFFFD') || decoded.trim() === '') {
    throw new InputError('kubeconfig-b64', 'does not decode to a UTF-8 kubeconfig');
  }
  return decoded;
}

/**
 * Every value in a kubeconfig that must never reach a log, in the forms it could appear in: each
 * credential as written, and for `*-data` fields also each line of the decoded PEM (the runner masks
 * line by line, so a multi-line secret is only safe when each of its lines is registered). Pure: it
 * prints nothing and, for text that is not YAML, returns what it can (an empty list).
 */
export function kubeconfigSecrets(text: string): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string') return;
    for (const line of [value, ...value.split(/\r?\n/)]) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) found.add(trimmed);
    }
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  for (const entry of listOf(record(doc)?.users)) {
    const user = record(record(entry)?.user);
    if (!user) continue;
    for (const field of CREDENTIAL_FIELDS) {
      add(user[field]);
      if (field.endsWith('-data') && typeof user[field] === 'string') {
        add(Buffer.from(user[field], 'base64').toString('utf8'));
      }
    }
    const providerConfig = record(record(user['auth-provider'])?.config) ?? {};
    for (const [key, value] of Object.entries(providerConfig)) if (AUTH_PROVIDER_SECRET.test(key)) add(value);
    // An exec plugin (allowed only with allow-exec) gets its credentials through its arguments or env
    // entries (`--token=…`, a role, a secret key); any of them may be one.
    for (const arg of listOf(record(user.exec)?.args)) add(arg);
    for (const env of listOf(record(user.exec)?.env)) add(record(env)?.value);
  }
  return [...found];
}

/**
 * Checks that the text is a kubeconfig a tool can use: a mapping with clusters, users and contexts,
 * every context naming a cluster and a user that exist, and a current context; and, unless
 * `allowExec`, that no user runs an exec plugin or an auth-provider. Messages name the
 * field and the entry, never a value of the file.
 */
export function checkKubeconfig(text: string, options: CheckOptions = {}): KubeconfigFacts {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    // The parser's message quotes the offending line; only its position is safe to show.
    const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const at = where ? ` at line ${where.line}, column ${where.col}` : '';
    throw new ActionError(`the kubeconfig is not valid YAML${at}`);
  }
  const config = record(doc);
  if (!config || config.kind !== 'Config') {
    throw new ActionError("the kubeconfig is not a kubeconfig (a mapping with 'kind: Config')");
  }
  const names = (field: string, inner: string) => {
    const list = listOf(config[field]);
    if (list.length === 0) throw new ActionError(`the kubeconfig has no ${field}`);
    return list.map((entry, i) => {
      const name = record(entry)?.name;
      if (typeof name !== 'string' || name === '' || !record(record(entry)?.[inner])) {
        throw new ActionError(`the kubeconfig's ${field}[${i}] needs a name and a '${inner}' mapping`);
      }
      return name;
    });
  };
  const clusters = names('clusters', 'cluster');
  for (const [i, entry] of listOf(config.clusters).entries()) {
    if (typeof record(record(entry)?.cluster)?.server !== 'string') {
      throw new ActionError(`the kubeconfig's clusters[${i}] has no server`);
    }
  }
  const users = new Set(names('users', 'user'));
  if (!options.allowExec) {
    for (const [i, entry] of listOf(config.users).entries()) {
      const user = record(record(entry)?.user) ?? {};
      if (user.exec !== undefined) {
        throw new ActionError(
          `the kubeconfig's users[${i}] runs an exec credential plugin, a program the file chooses, with this step's environment; ${OPT_IN}`,
        );
      }
      if (user['auth-provider'] !== undefined) {
        throw new ActionError(
          `the kubeconfig's users[${i}] uses an auth-provider, which runs provider code and refreshes credentials; ${OPT_IN}`,
        );
      }
    }
  }
  const contexts = names('contexts', 'context');
  for (const [i, entry] of listOf(config.contexts).entries()) {
    const context = record(record(entry)?.context) ?? {};
    if (!clusters.includes(context.cluster as string) || !users.has(context.user as string)) {
      throw new ActionError(`the kubeconfig's contexts[${i}] names a cluster or user it does not define`);
    }
  }
  const current = config['current-context'];
  const currentContext = typeof current === 'string' && current !== '' ? current : contexts[0];
  if (!contexts.includes(currentContext)) {
    throw new ActionError("the kubeconfig's current-context names no context it defines");
  }
  return { contexts, currentContext };
}

/**
 * Writes the kubeconfig to `<parent>/kubeconfig-XXXXXX/kubeconfig`: mkdtemp creates the directory
 * 0700 under a name nobody could have guessed, and `wx` creates the file 0600 (a umask only removes
 * bits), refusing to follow or reuse anything already there. Returns the file's path.
 */
export async function writeKubeconfig(text: string, parent: string): Promise<string> {
  const dir = await mkdtemp(path.join(parent, 'kubeconfig-'));
  try {
    const file = path.join(dir, KUBECONFIG_FILE);
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    return file;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a file written by `writeKubeconfig` with its private directory; a missing one is fine. */
export async function removeKubeconfig(file: string): Promise<void> {
  if (
    path.basename(file) !== KUBECONFIG_FILE ||
    !path.basename(path.dirname(file)).startsWith('kubeconfig-')
  ) {
    // Never remove a directory this module did not create.
    throw new ActionError(`refusing to remove ${file}: not a kubeconfig written by this action`);
  }
  await rm(path.dirname(file), { recursive: true, force: true });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
