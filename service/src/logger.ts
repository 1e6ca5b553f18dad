import { ConsoleLogger, type LogLevel as NestLogLevel } from '@nestjs/common';
import { LOG_LEVELS, type LogLevel } from './config/app-config.js';

/** JSON lines on stdout/stderr, one object per event, at `level` and more severe. */
export function createLogger(level: LogLevel): ConsoleLogger {
  const enabled = LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1) as NestLogLevel[];
  // Fields passed after the message become top-level keys, so log queries need no nesting.
  return new ConsoleLogger({ json: true, flattenParams: true, logLevels: enabled });
}
