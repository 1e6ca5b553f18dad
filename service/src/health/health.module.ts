import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [IncidentsModule], controllers: [HealthController] })
export class HealthModule {}
