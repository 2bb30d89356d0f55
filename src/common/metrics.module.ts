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
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Global: every domain module declares metrics on the same registry without importing the one that exposes it. */
@Global()
@Module({ providers: [MetricsRegistry], exports: [MetricsRegistry] })
export class MetricsModule {}
