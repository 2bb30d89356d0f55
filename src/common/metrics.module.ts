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

/**
 * The children of a labelled metric, one per combination of label values, made once and kept: a labelled
 * `observe`/`inc` otherwise sorts and joins its labels on every call, which the registry's hot path did several times
 * per call (docs/BENCHMARKS.md). Label values must be bounded (route templates, codes), as for any metric.
 */
export class LabelledChildren<Child> {
  private readonly children = new Map<string, Child>();

  constructor(private readonly make: (...values: string[]) => Child) {}

  of(...values: string[]): Child {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.make(...values);
      this.children.set(key, child);
    }
    return child;
  }
}

/** Global: every domain module declares metrics on the same registry without importing the one that exposes it. */
@Global()
@Module({ providers: [MetricsRegistry], exports: [MetricsRegistry] })
export class MetricsModule {}
