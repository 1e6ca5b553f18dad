import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { log } from '@incidents-pipeline/actions-lib/log';
import { redact } from './redact.js';
import { DEFAULT_DELAY_POLICY, type DelayPolicy, parseRetryAfter, retryDelayMs } from './retry-delay.js';

/**
 * The daily HTTP call: bearer token, optional JSON body, a timeout per attempt, and retries with
 * backoff on the failures that can pass (network errors, 5xx, 429). Other 4xx answers mean the
 * request itself is wrong (bad token, bad body) and are not retried. Redirects are not followed, so
 * the token is never forwarded to another host.
 */
export interface CallRequest {
  url: string;
  method: string;
  token: string;
  /** JSON text, sent as is with `content-type: application/json`. */
  body?: string;
}

export interface CallOptions extends Partial<DelayPolicy> {
  /** Retries after the first attempt. */
  retries: number;
  timeoutMs: number;
}

export interface CallResult {
  status: number;
  attempts: number;
}

/** The call failed for good; `status` is the last HTTP status, or undefined when none came back. */
export class CallError extends ActionError {
  override readonly name = 'CallError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** One failed attempt; p-retry retries these unless wrapped in its AbortError. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 429;

export async function callEndpoint(request: CallRequest, options: CallOptions): Promise<CallResult> {
  const policy: DelayPolicy = { ...DEFAULT_DELAY_POLICY, ...definedOnly(options) };
  const secrets = [request.token];
  const target = describeTarget(request);
  const headers: Record<string, string> = {
    authorization: `Bearer ${request.token}`,
    accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let attempts = 0;

  const attempt = async (attemptNumber: number): Promise<number> => {
    attempts = attemptNumber;
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new AttemptError(describeFetchError(error, options.timeoutMs, secrets));
    }
    const text = await readSnippet(response);
    if (response.status >= 200 && response.status < 300) return response.status;
    const answer = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${redact(text, secrets)}` : ''}`;
    if (RETRYABLE_STATUS(response.status)) {
      throw new AttemptError(
        answer,
        response.status,
        parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      );
    }
    const hint =
      response.status >= 300 && response.status < 400
        ? ' (redirects are not followed, so the token never goes to another address; configure the final URL)'
        : '';
    throw new AbortError(new AttemptError(`${answer}${hint}`, response.status));
  };

  try {
    const status = await pRetry(attempt, {
      retries: options.retries,
      // The wait is ours (retryDelayMs, which honours Retry-After); p-retry's own timer is zeroed.
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      onFailedAttempt: async (error) => {
        if (error.retriesLeft <= 0) return;
        const failure = error as unknown as AttemptError;
        const delay = retryDelayMs(error.attemptNumber, failure.retryAfterMs, policy);
        log().warning(
          `${target} attempt ${error.attemptNumber} ${failure.message}; retrying in ${(delay / 1000).toFixed(1)}s`,
        );
        await sleep(delay);
      },
    });
    return { status, attempts };
  } catch (error) {
    const failure =
      error instanceof AttemptError
        ? error
        : new AttemptError(describeFetchError(error, options.timeoutMs, secrets));
    throw new CallError(
      `${target} ${redact(failure.message, secrets)} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      failure.status,
      attempts,
    );
  }
}

function definedOnly(options: Partial<DelayPolicy>): Partial<DelayPolicy> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** Method and address for messages: no query string or user info, which may carry credentials. */
export function describeTarget(request: Pick<CallRequest, 'url' | 'method'>): string {
  const url = new URL(request.url);
  return `${request.method} ${url.origin}${url.pathname}`;
}

/**
 * A short reason for a failed fetch. Node's fetch wraps the real cause ("fetch failed" → ECONNREFUSED);
 * its messages are passed through `redact` because header validation errors quote header values.
 */
function describeFetchError(error: unknown, timeoutMs: number, secrets: readonly string[]): string {
  // Duck-typed: fetch's errors can come from another realm (test VMs), where instanceof Error fails.
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `gave no answer within ${timeoutMs / 1000}s`;
  const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
  return `failed: network error ${redact(String(detail), secrets)}`;
}

/** The start of an answer's body as one line, for the failure message; the socket is freed either way. */
async function readSnippet(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.replace(/\s+/g, ' ').trim().slice(0, 200);
  } catch {
    return '';
  }
}
