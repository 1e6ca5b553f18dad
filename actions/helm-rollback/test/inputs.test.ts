import { afterEach, describe, expect, it } from '@jest/globals';
import { getInputs } from '../src/inputs.js';

/** Inputs as the runner gives them (`INPUT_<NAME>`), turned into one checked object. */
const set = (inputs: Record<string, string>) => {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
};
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('helm-rollback inputs', () => {
  it('defaults to the previous revision of incidents-service in incidents, waiting 5m, failing fast after 60s, with helm test', () => {
    expect(getInputs()).toEqual({
      release: 'incidents-service',
      namespace: 'incidents',
      revision: undefined,
      timeout: '5m',
      wait: true,
      failFastAfterMs: 60_000,
      kubeContext: undefined,
      smokeTest: 'helm',
    });
  });

  it.each([
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['0', 0],
    ['off', 0],
    ['OFF', 0],
  ])('reads fail-fast-after %j as %d ms', (value, ms) => {
    set({ 'fail-fast-after': value });
    expect(getInputs().failFastAfterMs).toBe(ms);
  });

  it('reads a revision, a timeout, wait and a context', () => {
    set({ revision: '7', timeout: '1m30s', wait: 'false', 'kube-context': 'ci', 'smoke-test': 'HTTP' });
    expect(getInputs()).toMatchObject({
      revision: 7,
      timeout: '1m30s',
      wait: false,
      kubeContext: 'ci',
      smokeTest: 'http',
    });
  });

  it.each([
    [{ revision: '0' }, /input 'revision': must be at least 1/],
    [{ revision: 'previous' }, /input 'revision': must be a whole number/],
    [{ timeout: '300' }, /input 'timeout': '300' is not a duration/],
    [
      { 'fail-fast-after': '60' },
      /input 'fail-fast-after': '60' is not a duration such as 60s, 2m or 1m30s, nor 0 or off/,
    ],
    [{ 'fail-fast-after': 'never' }, /input 'fail-fast-after': 'never' is not a duration/],
    [{ release: 'Incidents_Service' }, /input 'release'/],
    [{ namespace: 'a'.repeat(64) }, /input 'namespace'.*at most 63/],
    [{ wait: 'yes please' }, /input 'wait': must be true or false/],
    [{ 'smoke-test': 'curl' }, /input 'smoke-test': must be one of helm, http, none/],
  ])('refuses %j', (inputs, message) => {
    set(inputs);
    expect(() => getInputs()).toThrow(message);
  });
});
