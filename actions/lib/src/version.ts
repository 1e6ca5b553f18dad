import semver, { type SemVer } from 'semver';
import { ActionError, InputError } from './errors.js';

/**
 * Release versions and the tags that carry them. A version travels from a git tag into image tags,
 * Helm values and shell-adjacent places (workflow expressions, the CLI), so it is refused here,
 * before anything is built, unless it is a plain strict semver: no control characters, no shell
 * metacharacters, no build metadata (`+` is not allowed in image tags), no leading `v` or `=`.
 */
export interface Version {
  /** The normalized version without prefix, e.g. `1.4.0-rc.2`. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers, e.g. `['rc', 2]`; empty for a stable release. */
  readonly prerelease: readonly (string | number)[];
  readonly isPrerelease: boolean;
}

/** A git tag that names a release: the prefix followed by a strict semver. */
export interface ReleaseTag extends Version {
  readonly tag: string;
  readonly prefix: string;
}

export interface ParseOptions {
  /** The action input (or CLI argument) the text came from, for the error message. */
  input?: string;
}

// Characters a shell, a workflow expression or a YAML scalar would give meaning to.
const SHELL_METACHARACTERS = /[;&|`$(){}[\]<>\\'"*?!#~\s]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function refuse(detail: string, options: ParseOptions): never {
  if (options.input) throw new InputError(options.input, detail);
  throw new ActionError(detail);
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

/**
 * Refuses text that could smuggle a second command, argument or workflow command, with a message that
 * names the offending character. Runs before the semver check so the refusal says why, not just "invalid".
 */
export function assertSafeVersionText(text: string, options: ParseOptions = {}): void {
  if (text === '') refuse('a version is required, got an empty value', options);
  if (CONTROL_CHARACTERS.test(text)) {
    refuse(`${quoted(text)} contains control characters (such as a newline); a version is one line`, options);
  }
  const meta = SHELL_METACHARACTERS.exec(text);
  if (meta) {
    const what = /\s/.test(meta[0]) ? 'whitespace' : `'${meta[0]}'`;
    refuse(`${quoted(text)} contains ${what}, which is not allowed in a version or tag`, options);
  }
}

function toVersion(parsed: SemVer): Version {
  return {
    version: parsed.version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: [...parsed.prerelease],
    isPrerelease: parsed.prerelease.length > 0,
  };
}

/** A bare strict semver such as `1.2.3` or `1.3.0-rc.1` (no prefix). Throws a clear error otherwise. */
export function parseVersion(text: string, options: ParseOptions = {}): Version {
  assertSafeVersionText(text, options);
  return strictSemver(text, text, options);
}

/** A tag made of `prefix` and a strict semver, e.g. `v1.2.3` for prefix `v`. */
export function parseTag(tag: string, prefix: string, options: ParseOptions = {}): ReleaseTag {
  assertSafeVersionText(tag, options);
  if (!tag.startsWith(prefix)) {
    refuse(`${quoted(tag)} does not start with the tag prefix ${quoted(prefix)}`, options);
  }
  return { ...strictSemver(tag.slice(prefix.length), tag, options), tag, prefix };
}

/** `shown` is what the user wrote (the whole tag), so the message quotes it rather than a slice of it. */
function strictSemver(text: string, shown: string, options: ParseOptions): Version {
  if (text.includes('+')) {
    refuse(`${quoted(shown)} has build metadata ('+…'), which image tags cannot carry; drop it`, options);
  }
  const parsed = semver.parse(text, { loose: false });
  // semver accepts a leading `v` even in strict mode; the exact round trip keeps `v1.2.3` out of
  // places that expect a bare version, and `vv1.2.3` out of places that expect a tag.
  if (!parsed || parsed.version !== text) {
    refuse(
      `${quoted(shown)} is not a strict semantic version (MAJOR.MINOR.PATCH[-PRERELEASE], e.g. 1.2.3)`,
      options,
    );
  }
  return toVersion(parsed);
}

/** A release tag if `tag` is one, otherwise `undefined` (for sifting through all of a repository's tags). */
export function tryParseTag(tag: string, prefix: string): ReleaseTag | undefined {
  try {
    return parseTag(tag, prefix);
  } catch {
    return undefined;
  }
}

/** A version if `text` is a bare strict semver, otherwise `undefined`. */
export function tryParseVersion(text: string): Version | undefined {
  try {
    return parseVersion(text);
  } catch {
    return undefined;
  }
}

/** Accepts a bare version or one with the prefix (`1.2.3` or `v1.2.3`), for CLI arguments. */
export function parseVersionOrTag(text: string, prefix: string, options: ParseOptions = {}): Version {
  if (prefix !== '' && text.startsWith(prefix)) return parseTag(text, prefix, options);
  return parseVersion(text, options);
}

export function formatTag(version: Version | string, prefix: string): string {
  return `${prefix}${typeof version === 'string' ? version : version.version}`;
}

type Comparable = Version | string;
const text = (v: Comparable) => (typeof v === 'string' ? v : v.version);

/** Semver precedence: negative when `a` is older, 0 when equal, positive when `a` is newer. */
export function compare(a: Comparable, b: Comparable): number {
  return semver.compare(text(a), text(b));
}

/** True when `candidate` has higher semver precedence than `than` (a prerelease is older than its release). */
export function isNewer(candidate: Comparable, than: Comparable): boolean {
  return compare(candidate, than) > 0;
}

/** Newest first, by semver precedence (never by tag date or name order). */
export function sortNewestFirst<T extends Version>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => compare(b, a));
}

/** Every tag that is `prefix` + strict semver, newest first; other tags are ignored. */
export function releaseTagsOf(tags: readonly string[], prefix: string): ReleaseTag[] {
  return sortNewestFirst(tags.map((t) => tryParseTag(t, prefix)).filter((t) => t !== undefined));
}

/** A tag prefix that is safe in a ref name and in argv: letters, digits, `.`, `_`, `-`, `/`. */
export function assertValidPrefix(prefix: string, options: ParseOptions = {}): string {
  if (prefix !== '' && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(prefix)) {
    refuse(`${quoted(prefix)} is not a usable tag prefix (letters, digits, '.', '_', '-', '/')`, options);
  }
  if (prefix.includes('..') || prefix.includes('//'))
    refuse(`${quoted(prefix)} is not a valid ref prefix`, options);
  return prefix;
}
