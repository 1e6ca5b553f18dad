import { Module } from '@nestjs/common';
import { HttpMetrics } from './http-metrics.js';
import { HttpMetricsListener } from './http-metrics.listener.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';

@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics, HttpMetricsListener],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
