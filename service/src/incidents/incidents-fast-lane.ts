import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { sendUnexpectedError } from '../unexpected-error.js';
import { negotiate } from './content-negotiation.js';
import { sendView } from './incidents-reply.js';
import { IncidentsService } from './incidents.service.js';

/**
 * Answers the one request that dashboards and probes send all day, a plain-text `GET /`, before it
 * enters Express: on this service Express's router alone costs about three quarters of the
 * throughput of a bare node:http server. The reply is the same cached view the controller sends,
 * byte for byte and with the same headers; everything else (JSON, the wallboard page, query strings,
 * other paths) goes on to Express and Nest.
 */
@Injectable()
export class IncidentsFastLane implements OnApplicationBootstrap {
  // Under the name Nest's filter logs with, so both lanes' failures read alike.
  private readonly logger = new Logger('UnexpectedError');

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
      let answered: boolean;
      try {
        answered = this.answer(req, res);
      } catch (error) {
        // Thrown out of a 'request' listener, this would leave the client waiting for a reply.
        sendUnexpectedError(res, error, this.logger);
        return;
      }
      if (!answered) express(req, res);
    };
    // Replaced in place, so listeners before and after Express keep their order.
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', listener === express ? lane : listener);
  }

  private answer(req: IncomingMessage & { route?: { path: string } }, res: ServerResponse): boolean {
    if (req.url !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    // JSON and the wallboard page go through Nest; only the text line is answered here.
    if (negotiate(req.headers.accept) !== 'text') return false;
    // The route label Express would have set, for the request metrics, failures included.
    req.route = { path: '/' };
    sendView(res, this.incidents.current(), false);
    return true;
  }
}
