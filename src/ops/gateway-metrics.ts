import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics (GET /ops/metrics, admin key): HTTP latency by route, registry accesses by
 * operation, outcome and service (counted where each audit record is appended, so the two always agree), refusals
 * by reason, and the shared audit commits (rows per commit, commit time), which are what bounds an audited call's
 * throughput. Each application has its own registry, so several apps in one process (tests) never collide.
 */
@Injectable()
export class GatewayMetrics implements OnModuleInit {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'popgate_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status: time from receipt to the last byte sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.1, 0.25, 1, 2.5],
    registers: [this.registry],
  });

  private readonly registryAccesses = new Counter({
    name: 'popgate_registry_accesses_total',
    help: 'Audit records appended: one per citizen an answer shows, or per refused call',
    labelNames: ['operation', 'outcome', 'service'] as const,
    registers: [this.registry],
  });

  private readonly registryRefusals = new Counter({
    name: 'popgate_registry_refusals_total',
    help: 'Refused registry calls and batch items, by the problem code they got',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly auditCommitDuration = new Histogram({
    name: 'popgate_audit_commit_seconds',
    help: 'Time to commit one shared audit INSERT (every call in it waits for this before answering)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  private readonly auditCommitRows = new Histogram({
    name: 'popgate_audit_commit_rows',
    help: 'Audit records per shared commit: how many calls shared one WAL flush',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [this.registry],
  });

  private readonly auditCommitFailures = new Counter({
    name: 'popgate_audit_commit_failures_total',
    help: 'Shared audit commits that failed (every call in them was answered with an error, none unaudited)',
    registers: [this.registry],
  });

  constructor(private readonly adapterHost: HttpAdapterHost) {
    collectDefaultMetrics({ register: this.registry, prefix: 'popgate_' });
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

  countAccess(operation: string, outcome: string, service: string | null, reason: string | null | undefined): void {
    this.registryAccesses.inc({ operation, outcome, service: service ?? 'none' });
    if (outcome === 'refused') this.registryRefusals.inc({ reason: reason ?? 'unknown' });
  }

  auditCommitted(rows: number, seconds: number): void {
    this.auditCommitRows.observe(rows);
    this.auditCommitDuration.observe(seconds);
  }

  auditCommitFailed(): void {
    this.auditCommitFailures.inc();
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
