import { describe, expect, test } from '@jest/globals';
import { debootstrapArgs } from '../base-image/base-image.js';

/**
 * The stand-in base image leaves the choice of Debian mirror to debootstrap: debootstrap reads its
 * positional arguments as SUITE TARGET [MIRROR [SCRIPT]], so nothing may follow the target.
 */
describe('debootstrap of the stand-in base image', () => {
  test('passes no mirror, whatever the machine has configured for apt', () => {
    const target = '/tmp/rootfs';
    const args = debootstrapArgs(target);
    const positionals = args.filter((a) => !a.startsWith('--'));
    expect(positionals.at(-1)).toBe(target);
    expect(positionals).toHaveLength(2);
    expect(args.filter((a) => /:\/\//.test(a))).toEqual([]);
  });
});
