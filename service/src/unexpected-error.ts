import type { LoggerService } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { send, TEXT_PLAIN } from './text-response.js';

/**
 * The one answer to an error no code path planned for, whichever lane the request took: 500
 * `error: <reason>\n` like every other failure of the service, the reason on one line and the stack
 * only in the log.
 */
export function sendUnexpectedError(res: ServerResponse, error: unknown, logger: LoggerService): void {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
  logger.error('request failed', { reason, stack: error instanceof Error ? error.stack : undefined });
  // Half a reply cannot be taken back; cutting the connection is the only honest end for it.
  if (res.headersSent) res.destroy();
  else send(res, 500, TEXT_PLAIN, `error: ${reason}\n`);
}
