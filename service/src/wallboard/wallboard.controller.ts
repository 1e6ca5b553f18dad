import { Controller, Get, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { WallboardService } from './wallboard.service.js';

/** The page's script and style sheet, from the service's own origin (the page itself is on `/`). */
@Controller()
export class WallboardController {
  constructor(private readonly wallboard: WallboardService) {}

  @Get('wallboard.js')
  script(@Res() res: ServerResponse): void {
    this.wallboard.send(res, '/wallboard.js');
  }

  @Get('wallboard.css')
  style(@Res() res: ServerResponse): void {
    this.wallboard.send(res, '/wallboard.css');
  }
}
