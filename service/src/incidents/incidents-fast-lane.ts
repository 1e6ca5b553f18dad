import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { send, TEXT_PLAIN } from '../text-response.js';
import { IncidentsService } from './incidents.service.js';

/**
 * Answers the one request that dashboards and probes send all day, a plain `GET /`, before it
 * enters Express: on this service Express's router alone costs about three quarters of the
 * throughput of a bare node:http server. The reply is the same cached view the controller sends,
 * byte for byte; everything else (JSON, query strings, other paths) goes on to Express and Nest.
 */
@Injectable()
export class IncidentsFastLane implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly incidents: IncidentsService,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const express = this.adapterHost.httpAdapter.getInstance() as RequestListener;
    const listeners = server.listeners('request') as RequestListener[];
    if (!listeners.includes(express)) return;
    const lane: RequestListener = (req, res) => {
      if (!this.answer(req, res)) express(req, res);
    };
    // Replaced in place, so listeners before and after Express keep their order.
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', listener === express ? lane : listener);
  }

  private answer(req: IncomingMessage & { route?: { path: string } }, res: ServerResponse): boolean {
    if (req.url !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (req.headers.accept?.includes('json')) return false;
    const view = this.incidents.current();
    // The route label Express would have set, for the request metrics.
    req.route = { path: '/' };
    send(res, view.ok ? 200 : 500, TEXT_PLAIN, view.text);
    return true;
  }
}
