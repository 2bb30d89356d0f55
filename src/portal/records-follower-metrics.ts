import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.module.js';
import { RecordsFollowerService, type FollowerLag } from './records-follower.service.js';

/** How long a scrape waits for Postgres before it reports the follower's figures as unknown. */
const SCRAPE_TIMEOUT_MS = 1_000;

/**
 * The changes follower's lag and restarts, read from Postgres at each scrape (so every process, the API with
 * WORKERS_IN_API=false too, reports the same figures).
 */
@Injectable()
export class RecordsFollowerMetrics {
  private reading: Promise<FollowerLag> | null = null;

  constructor(metrics: MetricsRegistry, follower: RecordsFollowerService) {
    const registers = [metrics.registry];
    const read = (): Promise<FollowerLag> => {
      // A scrape collects every gauge at once (prom-client starts them together): the three share the read in flight.
      this.reading ??= withTimeout(follower.lag()).finally(() => (this.reading = null));
      return this.reading;
    };
    const gauge = (name: string, help: string, figure: (lag: FollowerLag) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          try {
            this.set(figure(await read()));
          } catch {
            this.set(Number.NaN);
          }
        },
      });
    gauge('popgate_follower_events_behind', "Events of the registry's changes feed the follower of portal records has not applied yet", (lag) => lag.eventsBehind);
    gauge('popgate_follower_seconds_behind', 'Seconds since the oldest event the follower has not applied yet was recorded (0 at the head)', (lag) => lag.secondsBehind);
    gauge('popgate_follower_restarts', 'Registry resets after which the follower restarted from the new feed', (lag) => lag.restarts);
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SCRAPE_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}
