import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpMetrics } from './http-metrics.js';

/** Express sets `route` on the request once a route matched; unmatched paths share one label. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HttpMetrics) {}

  use(req: RoutedRequest, res: ServerResponse, next: () => void): void {
    const started = performance.now();
    res.once('finish', () => {
      const path = req.route?.path;
      const route = typeof path === 'string' ? path : 'unmatched';
      this.metrics.observe(req.method ?? 'GET', route, res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  }
}
