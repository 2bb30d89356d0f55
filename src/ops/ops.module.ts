import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '../access/access.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { PortalModule } from '../portal/portal.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { BullBoard } from './bull-board.service.js';
import { HealthController } from './health.controller.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsScrapeGuard } from './metrics-scrape.guard.js';
import { QueueMetrics } from './queue-metrics.js';
import { opsQueuesProvider, QueueOperations } from './queue-operations.service.js';
import { QueuesController } from './queues.controller.js';
import { SyncSchedulesController } from './sync-schedules.controller.js';

/**
 * Health probes (open, for orchestrators) and the operators' `/ops/*` endpoints (admin key): metrics, queue
 * operations, Bull Board. Ops reads from the other domains and nobody imports it.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AccessModule, JournalModule, PortalModule, QueueModule],
  controllers: [HealthController, MetricsController, QueuesController, DeadLettersController, SyncSchedulesController],
  providers: [HttpMetrics, opsQueuesProvider, QueueOperations, QueueMetrics, BullBoard, MetricsScrapeGuard],
})
export class OpsModule {}
