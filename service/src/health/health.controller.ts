import { Controller, Get, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { IncidentsService } from '../incidents/incidents.service.js';
import { ShutdownState } from '../lifecycle/shutdown-state.js';
import { send, TEXT_PLAIN } from '../text-response.js';

@Controller()
export class HealthController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness says only that the process answers; a bad file must not get the pod restarted. */
  @Get('healthz')
  healthz(@Res() res: ServerResponse): void {
    send(res, 200, TEXT_PLAIN, 'ok\n');
  }

  @Get('readyz')
  readyz(@Res() res: ServerResponse): void {
    const reason = this.shutdown.reason ?? this.incidents.current().reason;
    if (reason === undefined) send(res, 200, TEXT_PLAIN, 'ready\n');
    else send(res, 503, TEXT_PLAIN, `not ready: ${reason}\n`);
  }
}
