import { Module } from '@nestjs/common';
import { WallboardController } from './wallboard.controller.js';
import { WallboardService } from './wallboard.service.js';

@Module({
  controllers: [WallboardController],
  providers: [WallboardService],
  exports: [WallboardService],
})
export class WallboardModule {}
