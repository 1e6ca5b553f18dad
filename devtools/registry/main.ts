import { startTestRegistry } from './registry.js';
import { runCommand } from '../command.js';

/**
 * `npm run registry -- serve [--port N]`
 *
 * A throwaway registry on 127.0.0.1 for a person or a local act run (docs/act.md). It prints the
 * `export` line that points the workflows at it and stays in the foreground; Ctrl-C stops it and
 * removes what was pushed.
 */

const USAGE = 'usage: npm run registry -- serve [--port N]';

function parsePort(argv: string[]): number | undefined {
  const i = argv.indexOf('--port');
  if (i < 0) return undefined;
  const port = Number(argv[i + 1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port: '${argv[i + 1]}' is not a port\n${USAGE}`);
  return port;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const registry = await startTestRegistry({ port: parsePort(argv.slice(1)) });
  process.stdout.write(
    `registry ${registry.url} (started in ${registry.startMs} ms); Ctrl-C stops it and removes its storage\n` +
      `export IMAGE_REGISTRY=${registry.host}/example\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await registry.stop();
  return 0;
}

await runCommand(main);
