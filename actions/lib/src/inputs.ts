import * as core from '@actions/core';
import { InputError } from './errors.js';

/**
 * Typed reads of action inputs. Every action turns its raw inputs into one `Inputs` object through
 * these helpers (in its own `inputs.ts`), so validation happens once, up front, before any side effect.
 */

/** A trimmed input, or `undefined` when it is empty or unset. */
export function getOptional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

export function getRequired(name: string): string {
  const value = getOptional(name);
  if (value === undefined) throw new InputError(name, 'is required');
  return value;
}

/**
 * A YAML 1.2 boolean (`true`/`false` in any of its spellings), with a default for an empty input.
 * `core.getBooleanInput` alone throws on an empty value, and `getInput(x) || true` turns "false"
 * into a truthy string, the classic way flags get silently dropped.
 */
export function getBoolean(name: string, fallback: boolean): boolean {
  if (getOptional(name) === undefined) return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new InputError(name, `must be true or false, got '${core.getInput(name)}'`);
  }
}

/** A list given one item per line or comma separated; blank items are dropped. */
export function getList(name: string): string[] {
  return splitList(core.getInput(name));
}

export function splitList(raw: string): string[] {
  return raw
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Lines as written (for inputs such as `set` or `build-args` whose values may contain commas). */
export function getLines(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function getChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = getOptional(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(name, `must be one of ${choices.join(', ')}, got '${value}'`);
  }
  return value as T;
}

export function getInteger(
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = getOptional(name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new InputError(name, `must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (range.min !== undefined && value < range.min)
    throw new InputError(name, `must be at least ${range.min}`);
  if (range.max !== undefined && value > range.max)
    throw new InputError(name, `must be at most ${range.max}`);
  return value;
}

/**
 * `KEY=VALUE` lines into pairs (build args, labels, helm `set`). The key is checked; the value is
 * passed on as one argv element, so it needs no quoting and cannot inject anything.
 */
export function parseKeyValueLines(name: string, lines: string[], keyPattern = /^[A-Za-z_][\w.\-/[\]]*$/) {
  return lines.map((line) => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError(name, `'${line}' is not KEY=VALUE`);
    const key = line.slice(0, eq).trim();
    if (!keyPattern.test(key)) throw new InputError(name, `'${key}' is not a valid key`);
    return { key, value: line.slice(eq + 1) };
  });
}

/** Refuses control characters (newlines smuggle extra workflow commands or arguments). */
export function assertSingleLine(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new InputError(name, 'must be a single line without control characters');
  return value;
}
