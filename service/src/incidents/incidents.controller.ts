import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APPLICATION_JSON, send, TEXT_PLAIN } from '../text-response.js';
import { IncidentsService } from './incidents.service.js';

/** The part of Express's request used here (Express ships no types of its own). */
type NegotiatingRequest = IncomingMessage & { accepts(types: string[]): string | false };

/** JSON only for clients that ask for it; probes and dashboards that send nothing get the text. */
function wantsJson(req: NegotiatingRequest): boolean {
  const accept = req.headers.accept;
  if (accept === undefined || !accept.includes('json')) return false;
  return req.accepts(['text/plain', 'application/json']) === 'application/json';
}

@Controller()
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  root(@Req() req: NegotiatingRequest, @Res() res: ServerResponse): void {
    const view = this.incidents.current();
    const status = view.ok ? 200 : 500;
    if (wantsJson(req)) send(res, status, APPLICATION_JSON, view.json);
    else send(res, status, TEXT_PLAIN, view.text);
  }
}
