import { Server as NetServer, type Socket } from 'node:net';
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
 * sockets close, every reply already begun is delivered to its last byte, replies still to come go
 * out with `Connection: close`, and the process exits 0 when the last socket is gone, or when the
 * timeout forces the remaining ones shut.
 *
 * Sockets are tracked here rather than left to http.Server#close(): that closes "idle" connections
 * by destroying them, and a connection counts as idle as soon as its reply was handed to
 * `res.end()`, even while megabytes of it still wait in the socket's buffer.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): void {
  const { app, server, state, timeoutMs, logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  /** Open sockets and how many of their replies are not yet flushed. */
  const sockets = new Map<Socket, number>();

  const closeIfIdle = (socket: Socket): void => {
    if ((sockets.get(socket) ?? 0) === 0 && socket.writableLength === 0) socket.end();
  };

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });

  // First of all listeners: whoever answers next must already see shouldKeepAlive turned off.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    if (state.draining) res.shouldKeepAlive = false;
    // 'close' follows 'finish', which comes once the last byte left the process.
    res.once('close', () => {
      if (sockets.has(socket)) sockets.set(socket, sockets.get(socket)! - 1);
      if (state.draining) closeIfIdle(socket);
    });
  });

  const inFlight = (): number => [...sockets.values()].reduce((sum, count) => sum + count, 0);

  const shutdown = (signal: NodeJS.Signals): void => {
    if (state.draining) {
      logger.log('already shutting down', { signal }, 'Shutdown');
      return;
    }
    state.begin(signal);
    const started = Date.now();
    logger.log(
      'shutting down',
      { signal, inFlight: inFlight(), connections: sockets.size, timeoutMs },
      'Shutdown',
    );

    const forced = setTimeout(() => {
      logger.warn(
        'shutdown timeout, closing remaining connections',
        { inFlight: inFlight(), connections: sockets.size },
        'Shutdown',
      );
      for (const socket of sockets.keys()) socket.destroy();
    }, timeoutMs);
    forced.unref();

    // The listener only; connections are closed below, each once it has nothing left to send.
    NetServer.prototype.close.call(server, () => {
      clearTimeout(forced);
      // Nest's own close runs the modules' shutdown hooks; the listener is already gone.
      app
        .close()
        .catch(() => undefined)
        .finally(() => {
          logger.log('stopped', { ms: Date.now() - started }, 'Shutdown');
          exit(0);
        });
    });
    for (const socket of sockets.keys()) closeIfIdle(socket);
  };

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as const)) process.on(signal, shutdown);
}
