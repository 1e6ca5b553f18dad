import { InputError } from '@incidents-pipeline/actions-lib/errors';
import {
  assertSingleLine,
  getBoolean,
  getInteger,
  getOptional,
} from '@incidents-pipeline/actions-lib/inputs';
import { parseTime } from './gate.js';
import { isKnownTimeZone } from './local-clock.js';

export interface Inputs {
  /** Undefined when not configured: the job then only warns. */
  url: string | undefined;
  token: string | undefined;
  method: string;
  body: string | undefined;
  timezone: string;
  time: string;
  windowMinutes: number;
  now: Date;
  /** True when `now` came from the input (a replay), false for the real clock. */
  replay: boolean;
  force: boolean;
  retries: number;
  timeoutSeconds: number;
  githubToken: string | undefined;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Reads and checks every input before anything is called. The caller has already masked the tokens;
 * no message here quotes a token or the URL's query string.
 */
export function getInputs(clock: () => Date = () => new Date()): Inputs {
  const token = getOptional('token');
  if (token !== undefined) assertSingleLine('token', token);
  const githubToken = getOptional('github-token');

  const method = (getOptional('method') ?? 'POST').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new InputError('method', `must be one of ${METHODS.join(', ')}, got '${method}'`);
  }

  const body = getOptional('body');
  if (body !== undefined) {
    if (method === 'GET') throw new InputError('body', 'cannot be sent with GET; use POST, PUT or PATCH');
    try {
      JSON.parse(body);
    } catch (error) {
      throw new InputError('body', `must be JSON (${(error as Error).message})`);
    }
  }

  const timezone = getOptional('timezone') ?? 'Europe/Vienna';
  if (!isKnownTimeZone(timezone)) {
    throw new InputError(
      'timezone',
      `'${timezone}' is not an IANA time zone this runtime knows (e.g. Europe/Vienna)`,
    );
  }
  const time = getOptional('time') ?? '09:00';
  if (parseTime(time) === undefined) throw new InputError('time', `must be HH:MM (24-hour), got '${time}'`);

  const nowText = getOptional('now');
  let now = clock();
  if (nowText !== undefined) {
    // An instant needs its offset; a bare local time would be read in the runner's zone.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(nowText)) {
      throw new InputError(
        'now',
        `must be an ISO 8601 instant with Z or an offset, e.g. 2026-01-15T08:00:00Z, got '${nowText}'`,
      );
    }
    now = new Date(nowText);
    if (Number.isNaN(now.getTime())) throw new InputError('now', `'${nowText}' is not a valid date`);
  }

  return {
    url: parseUrl(getOptional('url')),
    token,
    method,
    body,
    timezone,
    time,
    windowMinutes: getInteger('window-minutes', 60, { min: 1, max: 1440 }),
    now,
    replay: nowText !== undefined,
    force: getBoolean('force', false),
    retries: getInteger('retries', 3, { min: 0, max: 10 }),
    timeoutSeconds: getInteger('timeout-seconds', 30, { min: 1, max: 600 }),
    githubToken,
  };
}

/** Only https leaves the machine: the token would travel in clear text over plain http. */
function parseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(assertSingleLine('url', raw));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('url', 'is not an absolute URL (https://host/path)');
  }
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url.href;
  throw new InputError(
    'url',
    `must use https (got ${url.protocol}//${url.host}); plain http is accepted only for loopback addresses`,
  );
}
