import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '../access/access.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { PortalModule } from '../portal/portal.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { DeadLettersController } from './dead-letters.controller.js';
import { HealthController } from './health.controller.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Health probes (open, for orchestrators) and the operators' `/ops/*` endpoints (admin key). Ops reads from the
 * other domains and nobody imports it.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AccessModule, JournalModule, PortalModule, QueueModule],
  controllers: [HealthController, MetricsController, DeadLettersController],
  providers: [HttpMetrics],
})
export class OpsModule {}
