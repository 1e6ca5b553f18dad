import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpMetrics } from './http-metrics.js';

/** Express sets `route` on the request once a route matched; unmatched paths share one label. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

/**
 * Times every request from the HTTP server's own 'request' event rather than as a middleware: it
 * sees 404s and errors too, and costs no extra pass through Express's router on the hot path.
 * The listener goes first: listeners run one after the other, so a clock started after Express
 * would start only once a synchronous handler had already answered.
 */
@Injectable()
export class HttpMetricsListener implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: HttpMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.prependListener('request', (req: RoutedRequest, res: ServerResponse) => {
      const started = performance.now();
      res.once('finish', () => {
        const path = req.route?.path;
        const route = typeof path === 'string' ? path : 'unmatched';
        this.metrics.observe(
          req.method ?? 'GET',
          route,
          res.statusCode,
          (performance.now() - started) / 1000,
        );
      });
    });
  }
}
