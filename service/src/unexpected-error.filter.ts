import { Catch, HttpException, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { sendUnexpectedError } from './unexpected-error.js';

/** Errors Nest knows (404, 405, ...) keep Nest's answer; anything else answers as the fast lane does. */
@Catch()
export class UnexpectedErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('UnexpectedError');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      super.catch(exception, host);
      return;
    }
    sendUnexpectedError(host.switchToHttp().getResponse<ServerResponse>(), exception, this.logger);
  }
}
