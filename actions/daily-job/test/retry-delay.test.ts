import { describe, expect, test } from '@jest/globals';
import { DEFAULT_DELAY_POLICY, parseRetryAfter, retryDelayMs } from '../src/retry-delay.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-01-15T08:00:00Z');

  test('delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 15 Jan 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 07:00:00 GMT', now)).toBe(0);
  });

  test('missing or unreadable values are ignored', () => {
    for (const value of [null, undefined, '', 'soon', '-1', '1.5'])
      expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 8000, retryAfterCapMs: 60_000 };

  test('doubles per retry with half of each step random, up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, policy, () => 0))).toEqual([
      500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, policy, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  test('a Retry-After answer wins over the backoff, up to its cap', () => {
    expect(retryDelayMs(1, 5000, policy, () => 0)).toBe(5000);
    expect(retryDelayMs(3, 0, policy)).toBe(0);
    expect(retryDelayMs(1, 3_600_000, policy)).toBe(60_000);
  });

  test('defaults keep a run of retries within a few minutes', () => {
    const worst = [1, 2, 3].reduce(
      (sum, n) => sum + retryDelayMs(n, undefined, DEFAULT_DELAY_POLICY, () => 1),
      0,
    );
    expect(worst).toBe(7000);
  });
});
