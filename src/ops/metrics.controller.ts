import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiProblems } from '../common/openapi.js';
import { MetricsRegistry } from '../common/metrics.module.js';
import { MetricsScrapeGuard } from './metrics-scrape.guard.js';

const EXPOSITION_EXAMPLE = [
  '# HELP popgate_registry_accesses_total Audit records appended: one per citizen an answer shows, or per refused call',
  '# TYPE popgate_registry_accesses_total counter',
  'popgate_registry_accesses_total{operation="lookup",outcome="ok",service="1.004222"} 1280',
  'popgate_registry_accesses_total{operation="verify",outcome="not_found",service="2.001159"} 3',
  '# HELP popgate_queue_jobs Jobs by queue and state (completed and failed: those Redis still keeps); read from Redis at each scrape; every process reports the same figures, so take one (max), never a sum',
  '# TYPE popgate_queue_jobs gauge',
  'popgate_queue_jobs{queue="verification",state="waiting"} 120',
].join('\n');

/** The Prometheus scrape: the admin key, or the scrape-only METRICS_TOKEN (the one endpoint that token opens). */
@ApiTags('operations')
@Controller('ops')
@UseGuards(MetricsScrapeGuard)
@ApiBearerAuth()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get('metrics')
  @ApiOperation({
    summary: 'Prometheus metrics (admin key or METRICS_TOKEN): HTTP latency by route, registry accesses and refusals, audit commits, queues, process',
    description: 'Scrape with `authorization: Bearer <METRICS_TOKEN>` (Prometheus `authorization` in scrape_config; docker/prometheus/prometheus.yml), or with the admin key. The token opens this endpoint only: anywhere else it is an unknown key (401). A worker process serves the same endpoint, with the same keys, on METRICS_PORT. Counters are per API process; the queue series (`popgate_queue_*`) are read from Redis at each scrape, with a 1 s timeout (`popgate_queue_up` 0 then), and every process reports the same figures.',
  })
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' }, example: EXPOSITION_EXAMPLE } } })
  @ApiProblems(401, 403, 503)
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.exposition();
    void reply.type(contentType);
    return body;
  }
}
