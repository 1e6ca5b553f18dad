import 'reflect-metadata';
import type { Server } from 'node:http';
import { BUNDLED_EXAMPLE } from './bundled-example.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './create-app.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { ShutdownState } from './lifecycle/shutdown-state.js';
import { createLogger } from './logger.js';

/** Starts the service: configuration, the application, the listener, the shutdown handler. */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, { bundledExample: BUNDLED_EXAMPLE, cwd: process.cwd() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`incidents-service: invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, logger);
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  installGracefulShutdown({
    app,
    server,
    state: app.get(ShutdownState),
    timeoutMs: config.shutdownTimeoutMs,
    logger,
  });
  logger.log(
    'listening',
    {
      address:
        typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
      port: typeof address === 'object' && address ? address.port : config.port,
    },
    'Bootstrap',
  );
}
