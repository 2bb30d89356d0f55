import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { SharedCommitWriter } from '../database/shared-commit.writer.js';

/**
 * The access layer's metrics: registry accesses by operation, outcome and service (counted where each audit record
 * is committed, so the two always agree) and refusals by reason. No consumer, citizen or request label.
 */
@Injectable()
export class AccessMetrics {
  private readonly registryAccesses: Counter<'operation' | 'outcome' | 'service'>;
  private readonly registryRefusals: Counter<'reason'>;

  constructor(metrics: MetricsRegistry, writer: SharedCommitWriter) {
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
    // Counted once committed, so the metrics never count a record the audit does not hold.
    writer.onCommitted(({ audit }) => {
      for (const row of audit) this.countAccess(row.operation, row.outcome, row.serviceCode, row.reason);
    });
  }

  countAccess(operation: string, outcome: string, service: string | null, reason: string | null | undefined): void {
    this.registryAccesses.inc({ operation, outcome, service: service ?? 'none' });
    if (outcome === 'refused') this.registryRefusals.inc({ reason: reason ?? 'unknown' });
  }
}
