import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { ShutdownState } from './shutdown-state.js';

export interface GracefulShutdownOptions {
  readonly app: INestApplication;
  readonly server: Server;
  readonly state: ShutdownState;
  readonly timeoutMs: number;
  readonly logger: LoggerService;
  readonly signals?: readonly NodeJS.Signals[];
  readonly exit?: (code: number) => void;
}

/**
 * On SIGTERM/SIGINT: readiness turns 503 at once, the listener stops accepting, idle keep-alive
 * sockets close, responses still to be written go out with `Connection: close`, and the process
 * exits 0 once the last one is done, or when the timeout forces the remaining sockets shut.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): void {
  const { app, server, state, timeoutMs, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const pending = new Set<ServerResponse>();

  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    // Once draining, nothing may stay open for a next request that would meet a closed socket.
    if (state.draining) {
      res.shouldKeepAlive = false;
      return;
    }
    pending.add(res);
    res.once('close', () => pending.delete(res));
  });

  const shutdown = (signal: NodeJS.Signals): void => {
    if (state.draining) {
      logger.log('already shutting down', { signal }, 'Shutdown');
      return;
    }
    state.begin(signal);
    const started = Date.now();
    logger.log('shutting down', { signal, inFlight: pending.size, timeoutMs }, 'Shutdown');
    for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;

    const forced = setTimeout(() => {
      logger.warn('shutdown timeout, closing remaining connections', { inFlight: pending.size }, 'Shutdown');
      server.closeAllConnections();
    }, timeoutMs);
    forced.unref();

    server.close(() => {
      clearTimeout(forced);
      // Nest's own close runs module shutdown hooks; the listener is already gone.
      app
        .close()
        .catch(() => undefined)
        .finally(() => {
          logger.log('stopped', { ms: Date.now() - started }, 'Shutdown');
          exit(0);
        });
    });
    server.closeIdleConnections();
  };

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as const)) process.on(signal, shutdown);
}
