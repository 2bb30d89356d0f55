import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

/** The managers' dashboard: its page, sign-in and files; the figures it shows are the coverage API's own. */
@Module({
  imports: [AccessModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}
