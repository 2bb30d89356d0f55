import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';

/**
 * The access layer's metrics: registry accesses by operation, outcome and service (counted where each audit record
 * is committed, so the two always agree), refusals by reason, and the shared audit commits (rows per commit, commit
 * time), which are what bounds an audited call's throughput. No consumer, citizen or request label.
 */
@Injectable()
export class AccessMetrics {
  private readonly registryAccesses: Counter<'operation' | 'outcome' | 'service'>;
  private readonly registryRefusals: Counter<'reason'>;
  private readonly auditCommitDuration: Histogram;
  private readonly auditCommitRows: Histogram;
  private readonly auditCommitFailures: Counter;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.registryAccesses = new Counter({
      name: 'popgate_registry_accesses_total',
      help: 'Audit records appended: one per citizen an answer shows, or per refused call',
      labelNames: ['operation', 'outcome', 'service'] as const,
      registers,
    });
    this.registryRefusals = new Counter({
      name: 'popgate_registry_refusals_total',
      help: 'Refused registry calls and batch items, by the problem code they got',
      labelNames: ['reason'] as const,
      registers,
    });
    this.auditCommitDuration = new Histogram({
      name: 'popgate_audit_commit_seconds',
      help: 'Time to commit one shared audit INSERT (every call in it waits for this before answering)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    });
    this.auditCommitRows = new Histogram({
      name: 'popgate_audit_commit_rows',
      help: 'Audit records per shared commit: how many calls shared one WAL flush',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    });
    this.auditCommitFailures = new Counter({
      name: 'popgate_audit_commit_failures_total',
      help: 'Shared audit commits that failed (every call in them was answered with an error, none unaudited)',
      registers,
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
}
