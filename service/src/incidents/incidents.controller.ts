import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WallboardService } from '../wallboard/wallboard.service.js';
import { negotiate } from './content-negotiation.js';
import { sendView } from './incidents-reply.js';
import { IncidentsService } from './incidents.service.js';

@Controller()
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly wallboard: WallboardService,
  ) {}

  @Get()
  root(@Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    const representation = negotiate(req.headers.accept);
    // The page is the same whatever the file holds: it fetches the JSON itself and shows its errors.
    if (representation === 'html') this.wallboard.sendPage(res);
    else sendView(res, this.incidents.current(), representation === 'json');
  }
}
