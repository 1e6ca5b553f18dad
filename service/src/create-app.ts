import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';

/** Express features the service never uses but would pay for on every response. */
export function tuneExpress(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('etag', false);
}

export async function createApp(
  config: AppConfig,
  logger: LoggerService | false,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config),
    new ExpressAdapter(),
    {
      logger,
      bodyParser: false,
      abortOnError: false,
    },
  );
  tuneExpress(app);
  return app;
}
