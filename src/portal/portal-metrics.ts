import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { DossierRepository } from './dossier.repository.js';

/** How long a scrape waits for Postgres before it reports the dossier figures as unknown. */
const SCRAPE_TIMEOUT_MS = 1_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SCRAPE_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}

/**
 * The portal's metrics: decisions as this process takes them, and, read from Postgres at each scrape (so every process
 * reports the same figures), the open dead letters and the dossiers waiting in the outbox.
 */
@Injectable()
export class PortalMetrics {
  private readonly decisions: Counter<'service' | 'status' | 'reason'>;
  private readonly attempts: Counter<'outcome'>;

  constructor(metrics: MetricsRegistry, dossiers: DossierRepository) {
    const registers = [metrics.registry];
    this.decisions = new Counter({
      name: 'popgate_dossier_decisions_total',
      help: 'Dossier decisions taken by the verification jobs of this process, by service, status and reason',
      labelNames: ['service', 'status', 'reason'] as const,
      registers,
    });
    this.attempts = new Counter({
      name: 'popgate_verification_attempts_total',
      help: 'Runs of verification jobs in this process, by outcome: decided, retry (a transient failure, retried with backoff), delayed (a rate limit), discarded (a reset meanwhile), dead_letter',
      labelNames: ['outcome'] as const,
      registers,
    });
    const gauge = (name: string, help: string, read: () => Promise<number>) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          try {
            this.set(await withTimeout(read()));
          } catch {
            this.set(Number.NaN);
          }
        },
      });
    gauge('popgate_verification_dead_letters', 'Open dead letters of the verification queue (from Postgres: every process reports the same figure)', () => dossiers.countOpenDeadLetters());
    gauge('popgate_verification_outbox_pending', 'Dossiers filed and not decided yet, in the outbox (from Postgres: every process reports the same figure)', () => dossiers.countOutbox());
  }

  attempted(outcome: 'decided' | 'retry' | 'delayed' | 'discarded' | 'dead_letter'): void {
    this.attempts.inc({ outcome });
  }

  decided(service: string, status: string, reason: string | null): void {
    this.decisions.inc({ service, status, reason: reason ?? 'none' });
  }
}
