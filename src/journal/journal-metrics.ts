import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { SharedCommitWriter } from '../database/shared-commit.writer.js';

/**
 * The journal's metrics: calls by service, operation and outcome, counted as their rows commit, a call-duration
 * histogram by service and operation, and how many days of partitions exist ahead. No consumer, citizen or request
 * label.
 */
@Injectable()
export class JournalMetrics {
  private readonly calls: Counter<'service' | 'operation' | 'outcome'>;
  private readonly duration: Histogram<'service' | 'operation'>;
  private partitionDaysAhead: () => Promise<number> = async () => Number.NaN;

  constructor(metrics: MetricsRegistry, writer: SharedCommitWriter) {
    const registers = [metrics.registry];
    this.calls = new Counter({
      name: 'popgate_registry_calls_total',
      help: 'Registry calls journaled (HTTP and in-process), by service, operation and outcome, counted as they commit',
      labelNames: ['service', 'operation', 'outcome'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'popgate_registry_call_duration_seconds',
      help: 'Registry calls from receipt until their journal and audit rows were committed, by service and operation',
      labelNames: ['service', 'operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.1, 0.25, 1, 2.5, 10, 30],
      registers,
    });
    const source = this;
    new Gauge({
      name: 'popgate_journal_partitions_ahead',
      // A count of day partitions, not a duration: promtool's lint wants durations in seconds, which this is not.
      help: 'Journal partitions (one per day) after today (Vietnam time), read at each scrape; below 7 the gateway is not ready',
      registers,
      async collect() {
        try {
          this.set(await source.partitionDaysAhead());
        } catch {
          this.set(Number.NaN); // the database did not answer: unknown, not a number of days
        }
      },
    });
    writer.onCommitted(({ journal }) => {
      // The duration includes the commit (the row's own latencyMs cannot: it is written by that commit).
      const committedAt = Date.now();
      for (const row of journal) {
        const service = row.serviceCode ?? 'none';
        this.calls.inc({ service, operation: row.operation, outcome: row.outcome });
        this.duration.observe({ service, operation: row.operation }, Math.max(committedAt - row.receivedAt.getTime(), row.latencyMs) / 1000);
      }
    });
  }

  /** How the days-ahead gauge is read (JournalPartitions provides it). */
  measurePartitionDaysAhead(read: () => Promise<number>): void {
    this.partitionDaysAhead = read;
  }
}
