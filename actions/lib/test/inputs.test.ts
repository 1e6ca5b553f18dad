import { afterEach, describe, expect, it } from '@jest/globals';
import { InputError } from '../src/errors.js';
import {
  assertSingleLine,
  getBoolean,
  getChoice,
  getInteger,
  getList,
  getOptional,
  parseKeyValueLines,
} from '../src/inputs.js';

const set = (name: string, value: string) => (process.env[`INPUT_${name.toUpperCase()}`] = value);

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('inputs', () => {
  it('reads booleans strictly, with a default only when empty', () => {
    expect(getBoolean('wait', true)).toBe(true);
    set('wait', 'false');
    expect(getBoolean('wait', true)).toBe(false);
    set('wait', 'True');
    expect(getBoolean('wait', false)).toBe(true);
    set('wait', 'yes please');
    expect(() => getBoolean('wait', true)).toThrow(/input 'wait': must be true or false/);
  });

  it('splits lists on newlines and commas', () => {
    set('values-files', 'a.yaml, b.yaml\n\n c.yaml \n');
    expect(getList('values-files')).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect(getList('missing')).toEqual([]);
  });

  it('validates choices and integers', () => {
    set('bump', 'MINOR');
    expect(getChoice('bump', ['auto', 'major', 'minor', 'patch'] as const, 'auto')).toBe('minor');
    set('bump', 'huge');
    expect(() => getChoice('bump', ['auto', 'major'] as const, 'auto')).toThrow(InputError);
    set('retries', '3');
    expect(getInteger('retries', 1, { min: 0, max: 10 })).toBe(3);
    set('retries', '3.5');
    expect(() => getInteger('retries', 1)).toThrow(/whole number/);
    set('retries', '11');
    expect(() => getInteger('retries', 1, { max: 10 })).toThrow(/at most 10/);
  });

  it('treats empty inputs as unset', () => {
    set('tag', '');
    expect(getOptional('tag')).toBeUndefined();
  });

  it('parses KEY=VALUE lines and keeps values whole', () => {
    expect(parseKeyValueLines('set', ['a.b=x=y,z', 'c=']).map((p) => [p.key, p.value])).toEqual([
      ['a.b', 'x=y,z'],
      ['c', ''],
    ]);
    expect(() => parseKeyValueLines('set', ['novalue'])).toThrow(/not KEY=VALUE/);
    expect(() => parseKeyValueLines('set', ['$(id)=1'])).toThrow(/not a valid key/);
  });

  it('refuses control characters', () => {
    expect(() => assertSingleLine('tag', 'v1.0.0\n::set-output name=x::y')).toThrow(/single line/);
    expect(assertSingleLine('tag', 'v1.0.0')).toBe('v1.0.0');
  });
});
