import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where the incidents come from: a configured file, `./incidents.yaml`, or the bundled example. */
export type IncidentsSource = 'env' | 'working-directory' | 'bundled-example';

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly incidentsFile: string;
  readonly incidentsSource: IncidentsSource;
  readonly timeZone: string;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  /** Minimum time between two stat() calls on the incidents file; bounds how fast a change shows. */
  readonly checkIntervalMs: number;
  /** Larger files are refused unread: parsing blocks the event loop, and every reply carries the file. */
  readonly maxFileBytes: number;
  /** A parse in the worker that takes longer is ended and counted as a rejected reload. */
  readonly parseTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigDefaults {
  /** Absolute path of the bundled example, used when neither INCIDENTS_FILE nor ./incidents.yaml exists. */
  readonly bundledExample: string;
  readonly cwd: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function timeZone(env: NodeJS.ProcessEnv): string {
  const raw = env.TZ?.trim();
  if (raw === undefined || raw === '') return 'UTC';
  // Node also accepts POSIX strings like ":Europe/Vienna"; strip the leading colon glibc allows.
  const name = raw.startsWith(':') ? raw.slice(1) : raw;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(
      `TZ must be an IANA time zone such as Europe/Vienna or UTC, got ${JSON.stringify(raw)}`,
    );
  }
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'log';
  const alias = raw === 'info' ? 'log' : raw === 'warning' ? 'warn' : raw;
  if (!(LOG_LEVELS as readonly string[]).includes(alias)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (or info), got ${JSON.stringify(env.LOG_LEVEL)}`,
    );
  }
  return alias as LogLevel;
}

function incidentsFile(
  env: NodeJS.ProcessEnv,
  defaults: ConfigDefaults,
): { incidentsFile: string; incidentsSource: IncidentsSource } {
  const raw = env.INCIDENTS_FILE;
  if (raw !== undefined && raw.trim() !== '') {
    const path = resolve(defaults.cwd, raw.trim());
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new ConfigError(`INCIDENTS_FILE ${JSON.stringify(raw)} does not exist (resolved to ${path})`);
    }
    if (!isFile)
      throw new ConfigError(
        `INCIDENTS_FILE ${JSON.stringify(raw)} is not a regular file (resolved to ${path})`,
      );
    return { incidentsFile: path, incidentsSource: 'env' };
  }
  const local = resolve(defaults.cwd, 'incidents.yaml');
  if (existsSync(local)) return { incidentsFile: local, incidentsSource: 'working-directory' };
  return { incidentsFile: defaults.bundledExample, incidentsSource: 'bundled-example' };
}

/** Reads and validates the environment once; any bad value is a ConfigError with a one-line message. */
export function loadConfig(env: NodeJS.ProcessEnv, defaults: ConfigDefaults): AppConfig {
  const host = env.HOST?.trim() || '0.0.0.0';
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    ...incidentsFile(env, defaults),
    timeZone: timeZone(env),
    logLevel: logLevel(env),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    checkIntervalMs: integer(env, 'INCIDENTS_CHECK_INTERVAL_MS', 250, 0, 60_000),
    // A ConfigMap holds at most 1 MiB, so a mounted file is never larger than the default.
    maxFileBytes: integer(env, 'INCIDENTS_MAX_BYTES', 1_048_576, 1, 67_108_864),
    // The dense 1 MiB file took 0.25-0.85 s in the worker, its start included, on a busy 2-core
    // machine, and 0.6-0.9 s in a container held to the chart's 500m CPU. 10 s leaves a margin of
    // ten, yet bounds what a pathological file costs.
    parseTimeoutMs: integer(env, 'INCIDENTS_PARSE_TIMEOUT_MS', 10_000, 100, 600_000),
  };
}

/** Nest injection token of the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
