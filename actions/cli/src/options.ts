import { parseArgs } from 'node:util';
import { ActionError } from '@incidents-pipeline/actions-lib/errors';

export type Command = 'init' | 'deliver' | 'deploy';

export interface CliOptions {
  command?: Command;
  version?: string;
  help: boolean;
  /** Local port to forward to the Service after the command; undefined: no port-forward. */
  portForward?: number;
}

export const USAGE = `Usage: npm run <command> [-- options]   (or: node actions/cli/dist/index.js <command> ...)

Commands:
  init              Install kind if missing, create the kind cluster from kind-config.yaml if missing,
                    then build, load and deploy the chart's appVersion when nothing is deployed.
                    Never downgrades: a newer running version is left as it is.
  deliver VERSION   Build incidents-service:VERSION, load it into kind, deploy it.
  deploy VERSION    Deploy incidents-service:VERSION (chart and values only, no build); the image
                    must exist locally (docker image inspect).

Options:
  --port-forward    After the command, forward http://127.0.0.1:8080 to the Service until Ctrl-C.
  --port N          Local port for --port-forward (default 8080).
  -h, --help        Show this help.

Environment:
  INCIDENTS_CLUSTER=local   Use the local cluster of \`npm run cluster\` instead of kind.
  INCIDENTS_BASE_IMAGE=REF  Build the service on this base image (one Docker already has).

Examples:
  npm run init
  npm run deliver -- 0.2.0
  npm run deploy -- 0.1.0 --port-forward
`;

const COMMANDS: readonly Command[] = ['init', 'deliver', 'deploy'];

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'port-forward': { type: 'boolean', default: false },
        port: { type: 'string' },
      },
    });
  } catch (error) {
    throw new ActionError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, version, ...extra] = positionals;
  if (!command) throw new ActionError(`a command is required\n\n${USAGE}`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new ActionError(`unknown command '${command}'\n\n${USAGE}`);
  }
  if (command === 'init' && version !== undefined)
    throw new ActionError(`init takes no version (got '${version}')`);
  if (command !== 'init' && version === undefined) {
    throw new ActionError(`${command} needs a VERSION, e.g. npm run ${command} -- 0.2.0`);
  }
  if (extra.length > 0) throw new ActionError(`unexpected arguments: ${extra.join(' ')}`);
  let portForward: number | undefined;
  if (values['port-forward'] || values.port !== undefined) {
    portForward = values.port === undefined ? 8080 : Number(values.port);
    if (!/^\d+$/.test(values.port ?? '8080') || portForward < 1 || portForward > 65535) {
      throw new ActionError(`--port must be a port number (1-65535), got '${values.port}'`);
    }
  }
  return { command: command as Command, version, help: false, portForward };
}
