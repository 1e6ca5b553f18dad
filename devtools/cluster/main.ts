import { ensureClusterBinaries } from './components.js';
import { allowRegistry, down, exportLines, formatStatus, loadImage, status, up } from './cluster.js';
import { runCommand } from '../command.js';

/**
 * `npm run cluster -- up [--json] | down | status [--json] | load-image IMAGE... | allow-registry 127.0.0.1:PORT | build`
 *
 * The local single-node Kubernetes of the test suite, built from upstream Go modules (see
 * devtools/README.md). `up` prints the two `export` lines that point a shell at it; programs ask
 * for `--json` (`ClusterAccess`, `ClusterStatus`), or import `up` and `status` from cluster.ts.
 * Progress goes to stderr, so stdout is only the answer.
 */

const USAGE =
  'usage: npm run cluster -- up [--json] | down | status [--json] | load-image IMAGE... | allow-registry 127.0.0.1:PORT | build';

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [command, ...rest] = argv.filter((a) => a !== '--json');
  if (json && command !== 'up' && command !== 'status')
    throw new Error(`--json is for up and status\n${USAGE}`);
  switch (command) {
    case 'up': {
      const access = await up();
      process.stdout.write(json ? `${JSON.stringify(access)}\n` : exportLines(access));
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const result = await status();
      process.stdout.write(json ? `${JSON.stringify(result)}\n` : formatStatus(result));
      return result.state === 'up' ? 0 : 1;
    }
    case 'load-image':
      if (rest.length === 0) throw new Error(`load-image needs at least one image\n${USAGE}`);
      await loadImage(rest);
      return 0;
    case 'allow-registry':
      if (rest.length !== 1) throw new Error(`allow-registry needs one registry host\n${USAGE}`);
      await allowRegistry(rest[0]);
      return 0;
    case 'build':
      await ensureClusterBinaries();
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

await runCommand(main);
