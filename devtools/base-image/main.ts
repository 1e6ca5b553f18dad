import { ensureTestBaseImage } from './base-image.js';
import { runCommand } from '../command.js';

/**
 * `npm run base-image [-- --json]`
 *
 * Builds the stand-in Node 24 base image the tests use (Debian's debootstrap plus the bootstrap's
 * Node 24), for a machine that reaches no container registry, or finds it already built. Progress
 * goes to stderr; stdout is the image reference alone, or with `--json` everything `ensureTestBaseImage`
 * returns, so `INCIDENTS_BASE_IMAGE="$(npm run --silent base-image)" npm run init` works as it is.
 */

const USAGE =
  'usage: npm run base-image [-- --json]   (needs root for debootstrap, Docker, and npm run tools)';

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  if (argv.some((a) => a !== '--json')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const base = await ensureTestBaseImage((line) => process.stderr.write(`${line}\n`));
  process.stderr.write(
    `${base.image}: ${base.built ? `built in ${(base.buildMs / 1000).toFixed(0)} s` : 'already built'}, ` +
      `${(base.sizeBytes / 1e6).toFixed(0)} MB, node ${base.nodeVersion}\n`,
  );
  process.stdout.write(json ? `${JSON.stringify(base)}\n` : `${base.image}\n`);
  return 0;
}

await runCommand(main);
