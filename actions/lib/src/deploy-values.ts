import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import { InputError } from './errors.js';

/**
 * The values of a deploy and the secrets in them: which inline values must be masked, and the
 * private files through which values reach Helm (never argv, where any process listing shows them).
 */

/**
 * Words of a key that name a credential. A key is split into words at `-`, `_`, `.`, `/` and
 * camelCase humps, so `clientSecret`, `API_TOKEN` and `db.password` match while `topologyKey`,
 * `tokenizer` or `passthrough` do not.
 */
const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'token',
  'tokens',
  'secret',
  'secrets',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
]);
/** Two-word names of a credential, as they appear split: `apiKey`, `private_key`. */
const SECRET_PAIRS = [
  ['api', 'key'],
  ['private', 'key'],
];

/**
 * The runner replaces a masked value everywhere in the job log: masking `true` or `80` would blank
 * those out of every line. Values this short carry no secret worth that damage.
 */
export const MIN_MASKED_LENGTH = 6;

export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** Whether a values key names a credential (one of its words, or two adjacent words, does). */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return words.some((w, i) => SECRET_PAIRS.some(([a, b]) => w === a && words[i + 1] === b));
}

/** A scalar worth masking: text (not a YAML boolean, number or null) of at least the minimum length. */
function maskable(node: YamlNode): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') return undefined;
  const text = node.value;
  if (/^(true|false)$/i.test(text.trim()) || text.trim().length < MIN_MASKED_LENGTH) return undefined;
  return text;
}

/**
 * Validates inline values YAML (a mapping) and returns the strings found under keys that name a
 * credential, at any depth and in lists, for masking. Values under other keys stay readable in the
 * log, so secrets belong under such keys (or in a values file that is itself a secret).
 */
export function inlineValuesSecrets(input: string, yamlText: string): string[] {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0)
    throw new InputError(input, `is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  if (doc.contents !== null && !isMap(doc.contents))
    throw new InputError(input, 'must be a YAML mapping of values');
  const found = new Set<string>();
  const visit = (node: YamlNode | null | undefined, secret: boolean) => {
    if (!node) return;
    if (isScalar(node)) {
      const text = secret ? maskable(node) : undefined;
      if (text === undefined) return;
      found.add(text);
      // The runner masks a registered value as a whole; a key or certificate is logged line by line.
      for (const line of text.split('\n'))
        if (line.trim().length >= MIN_MASKED_LENGTH) found.add(line.trim());
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        visit(pair.value as YamlNode | null, secret || isSecretKey(key));
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item as YamlNode, secret);
    }
  };
  visit(doc.contents as YamlNode | null, false);
  return [...found];
}

/** The image values Helm gets through a file: only what was given, so the chart's defaults stay. */
export function imageValues(
  repository?: string,
  tag?: string,
  digest?: string,
): Record<string, unknown> | undefined {
  const image: Record<string, string> = {};
  if (repository) image.repository = repository;
  if (tag) image.tag = tag;
  if (digest) image.digest = digest;
  return Object.keys(image).length > 0 ? { image } : undefined;
}

export interface ValuesRequest {
  valuesFiles: readonly string[];
  /** Inline values YAML; may hold secrets, so it only ever goes to a 0600 file. */
  values?: string;
  imageRepository?: string;
  imageTag?: string;
  /** The manifest digest the pods run (image.digest), e.g. the one whose signature verified. */
  imageDigest?: string;
}

/**
 * Runs `use` with the values files of a deploy: the given files, then the inline values and the
 * image, each in a file readable only by us (0600, in a 0700 directory) that is gone afterwards.
 * The step's own inputs come last, so they win over the files.
 */
export async function withValuesFiles<T>(
  request: ValuesRequest,
  use: (valuesFiles: string[]) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'helm-deploy-'));
  try {
    await chmod(dir, 0o700);
    const files = [...request.valuesFiles];
    if (request.values?.trim()) files.push(await writePrivate(dir, 'values.yaml', request.values));
    const image = imageValues(request.imageRepository, request.imageTag, request.imageDigest);
    if (image) files.push(await writePrivate(dir, 'image.yaml', stringify(image)));
    return await use(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writePrivate(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text, { mode: 0o600 });
  // The mode given to writeFile is filtered by the umask; chmod is not.
  await chmod(file, 0o600);
  return file;
}
