import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { prefersJson } from './content-negotiation.js';
import { sendView } from './incidents-reply.js';
import { IncidentsService } from './incidents.service.js';

@Controller()
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  root(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    sendView(res, this.incidents.current(), prefersJson(req.headers.accept));
  }
}
