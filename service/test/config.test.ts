import { describe, expect, it, afterEach } from '@jest/globals';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/app-config.js';
import { scratchDir, writeIncidents } from './app-harness.js';

const scratch: Array<() => void> = [];
afterEach(() => scratch.splice(0).forEach((remove) => remove()));

function workspace(): string {
  const { dir, remove } = scratchDir();
  scratch.push(remove);
  return dir;
}

function load(env: NodeJS.ProcessEnv, cwd = workspace()) {
  return loadConfig(env, { bundledExample: '/bundled/incidents.example.yaml', cwd });
}

function configError(env: NodeJS.ProcessEnv): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults and falls back to the bundled example', () => {
    const config = load({});
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      incidentsFile: '/bundled/incidents.example.yaml',
      incidentsSource: 'bundled-example',
      timeZone: 'UTC',
      logLevel: 'log',
      shutdownTimeoutMs: 10_000,
      checkIntervalMs: 250,
      maxFileBytes: 1_048_576,
      parseTimeoutMs: 10_000,
    });
  });

  it('prefers ./incidents.yaml in the working directory over the bundled example', () => {
    const cwd = workspace();
    writeIncidents(cwd, 'incidents: []\n');
    const config = load({}, cwd);
    expect(config.incidentsFile).toBe(join(cwd, 'incidents.yaml'));
    expect(config.incidentsSource).toBe('working-directory');
  });

  it('resolves INCIDENTS_FILE against the working directory', () => {
    const cwd = workspace();
    writeIncidents(cwd, 'incidents: []\n', 'custom.yaml');
    const config = load({ INCIDENTS_FILE: 'custom.yaml', PORT: '8080', HOST: '127.0.0.1' }, cwd);
    expect(config).toMatchObject({
      incidentsFile: join(cwd, 'custom.yaml'),
      incidentsSource: 'env',
      port: 8080,
      host: '127.0.0.1',
    });
  });

  it('rejects an INCIDENTS_FILE that does not exist or is a directory', () => {
    expect(configError({ INCIDENTS_FILE: '/nonexistent/incidents.yaml' })).toBe(
      'INCIDENTS_FILE "/nonexistent/incidents.yaml" does not exist (resolved to /nonexistent/incidents.yaml)',
    );
    const dir = workspace();
    expect(configError({ INCIDENTS_FILE: dir })).toMatch(/is not a regular file/);
  });

  it.each(['abc', '3000abc', '-1', '65536', '1.5', ' '])('rejects PORT=%j unless blank', (port) => {
    if (port.trim() === '') {
      expect(load({ PORT: port }).port).toBe(3000);
      return;
    }
    expect(configError({ PORT: port })).toBe(`PORT must be an integer between 0 and 65535, got "${port}"`);
  });

  it('accepts IANA time zones and rejects unknown ones', () => {
    expect(load({ TZ: 'Europe/Vienna' }).timeZone).toBe('Europe/Vienna');
    expect(load({ TZ: ':Pacific/Auckland' }).timeZone).toBe('Pacific/Auckland');
    expect(configError({ TZ: 'Mars/Olympus_Mons' })).toBe(
      'TZ must be an IANA time zone such as Europe/Vienna or UTC, got "Mars/Olympus_Mons"',
    );
  });

  it('validates LOG_LEVEL and SHUTDOWN_TIMEOUT_MS', () => {
    expect(load({ LOG_LEVEL: 'INFO' }).logLevel).toBe('log');
    expect(load({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(configError({ LOG_LEVEL: 'loud' })).toMatch(
      /^LOG_LEVEL must be one of fatal, error, warn, log, debug, verbose/,
    );
    expect(load({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
    expect(configError({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toMatch(/^SHUTDOWN_TIMEOUT_MS must be an integer/);
  });

  it('validates INCIDENTS_PARSE_TIMEOUT_MS: from 100 ms, below which no worker even starts, to 10 minutes', () => {
    expect(load({ INCIDENTS_PARSE_TIMEOUT_MS: '2500' }).parseTimeoutMs).toBe(2500);
    expect(load({ INCIDENTS_PARSE_TIMEOUT_MS: ' ' }).parseTimeoutMs).toBe(10_000);
    for (const value of ['99', '600001', '1e4', 'soon']) {
      expect(configError({ INCIDENTS_PARSE_TIMEOUT_MS: value })).toBe(
        `INCIDENTS_PARSE_TIMEOUT_MS must be an integer between 100 and 600000, got "${value}"`,
      );
    }
  });

  it('keeps every message on one line', () => {
    for (const env of [{ PORT: 'x\ny' }, { TZ: 'Nowhere' }, { INCIDENTS_FILE: '/missing' }]) {
      expect(configError(env).split('\n')).toHaveLength(1);
    }
  });
});
