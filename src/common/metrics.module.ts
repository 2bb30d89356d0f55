import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The one prom-client registry of an application. Each domain declares its own metrics on it (AccessMetrics,
 * HttpMetrics, ...) instead of one metrics class that every module grows; GET /ops/metrics exposes it. Each
 * application has its own registry, so several apps in one process (tests) never collide.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'popgate_' });
    // prom-client names these three gauges `..._total`, which promtool's lint refuses for anything but a counter
    // (`promtool check metrics` exits 3). Each is the sum of the same name without `_total`, by type, which stays.
    for (const total of ['active_handles_total', 'active_requests_total', 'active_resources_total']) this.registry.removeSingleMetric(`popgate_nodejs_${total}`);
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Global: every domain module declares metrics on the same registry without importing the one that exposes it. */
@Global()
@Module({ providers: [MetricsRegistry], exports: [MetricsRegistry] })
export class MetricsModule {}
