import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GatewayMetrics } from './gateway-metrics.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** Health probes (open, for orchestrators) and the operators' `/ops/*` endpoints (admin key). Global: the audit writer counts into the metrics. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [GatewayMetrics],
  exports: [GatewayMetrics],
})
export class OpsModule {}
