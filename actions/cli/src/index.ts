import { ActionError } from '@incidents-pipeline/actions-lib/errors';
import { createConsoleLog, log, useLog } from '@incidents-pipeline/actions-lib/log';
import { deliver } from './deliver.js';
import { deploy } from './deploy.js';
import { init } from './init.js';
import { parseCliArgs, USAGE } from './options.js';
import { loadSettings } from './settings.js';
import { portForwardUntilInterrupted } from './steps.js';

useLog(createConsoleLog());

async function main(argv: readonly string[]): Promise<void> {
  const options = parseCliArgs(argv);
  if (options.help || !options.command) {
    process.stdout.write(USAGE);
    return;
  }
  const settings = loadSettings();
  // A kind installed by init lives here; later tools (and kind itself) are found through PATH.
  process.env.PATH = `${settings.toolsDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`;
  if (options.command === 'init') await init(settings);
  else if (options.command === 'deliver') await deliver(settings, options.version ?? '');
  else await deploy(settings, options.version ?? '');
  if (options.portForward !== undefined) await portForwardUntilInterrupted(settings, options.portForward);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ActionError) {
    log().error(error.message);
  } else {
    log().error(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  process.exitCode = 1;
}
