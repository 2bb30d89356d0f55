import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';

/** HTTP latency by method, route template and status, timed from receipt to the last byte sent. */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    metrics: MetricsRegistry,
  ) {
    this.httpDuration = new Histogram({
      name: 'popgate_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status: time from receipt to the last byte sent',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.1, 0.25, 1, 2.5],
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    // Worker processes have no HTTP server; there is nothing to time there.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      // The route template (`/registry/v1/citizens/:idNumber`), never the URL: it holds ID numbers and is unbounded.
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  }
}
