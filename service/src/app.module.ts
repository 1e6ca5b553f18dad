import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { HealthModule } from './health/health.module.js';
import { IncidentsModule } from './incidents/incidents.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { UnexpectedErrorFilter } from './unexpected-error.filter.js';

@Module({})
export class AppModule {
  /** The config is validated before Nest starts, then handed in as a global value. */
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [LifecycleModule, MetricsModule, IncidentsModule, HealthModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: UnexpectedErrorFilter },
      ],
      exports: [APP_CONFIG],
    };
  }
}
