import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { WallboardModule } from '../wallboard/wallboard.module.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsFastLane } from './incidents-fast-lane.js';
import { IncidentsMetrics } from './incidents.metrics.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';

@Module({
  imports: [MetricsModule, WallboardModule],
  controllers: [IncidentsController],
  providers: [IncidentsRepository, IncidentsMetrics, IncidentsService, IncidentsFastLane],
  exports: [IncidentsService],
})
export class IncidentsModule {}
