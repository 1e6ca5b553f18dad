/**
 * How long to wait before the next attempt. A server that says when to come back (`Retry-After` on a
 * 429 or 503) is obeyed, up to a cap so one answer cannot hold the job for hours; otherwise the wait
 * doubles each time with jitter, so that many clients failing at once do not retry in lockstep.
 */
export interface DelayPolicy {
  /** Wait before the first retry; doubles for each further retry. */
  baseDelayMs: number;
  /** Longest backoff wait. */
  maxDelayMs: number;
  /** Longest wait a `Retry-After` header can ask for. */
  retryAfterCapMs: number;
}

export const DEFAULT_DELAY_POLICY: DelayPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  retryAfterCapMs: 120_000,
};

/** Milliseconds a `Retry-After` value asks for (delta-seconds or an HTTP date), if it is valid. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates name the month; without this, Date.parse would read '-1' or '1.5' as dates.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `retry` (1 for the first retry). "Equal jitter": half of the
 * exponential step is fixed, half random, so waits still grow but never line up.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  policy: DelayPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.retryAfterCapMs);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
