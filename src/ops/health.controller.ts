import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { z } from 'zod';
import { ApiJsonResponse, ApiProblemsCarrying, ApiPublic } from '../common/openapi.js';
import { backingServiceChecksSchema } from '../common/problem-details.js';
import { PG_POOL } from '../database/database.module.js';
import { JournalPartitions } from '../journal/journal-partitions.service.js';
import { REDIS } from '../queue/redis.module.js';

/** A check that takes longer than this counts as down: a readiness probe must answer quickly. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** `result` with a check that is reported but does not decide readiness: listed under `error` when down. */
function withReported(result: HealthCheckResult, reported: HealthIndicatorResult): HealthCheckResult {
  const down = Object.values(reported).some((indicator) => indicator.status === 'down');
  return {
    ...result,
    info: down ? result.info : { ...result.info, ...reported },
    error: down ? { ...result.error, ...reported } : result.error,
    details: { ...result.details, ...reported },
  };
}

/** A healthy answer (terminus's shape); an unhealthy one is a 503 `not_ready` problem with the same `checks`. */
const healthSchema = z.object({
  status: z.literal('ok'),
  info: backingServiceChecksSchema.describe('The services that are up'),
  error: backingServiceChecksSchema.describe('The services that are down: on a ready answer, only Redis (the queues) can be'),
  details: backingServiceChecksSchema.describe('Every service checked'),
});

/** @HealthCheck() marks both answers of a health endpoint as not cacheable. */
const NOT_CACHED = { headers: ['Cache-Control'] } as const;

const readyExample = {
  status: 'ok',
  info: { postgres: { status: 'up' }, redis: { status: 'up' }, journal: { status: 'up', partitionDaysAhead: 7 } },
  error: {},
  details: { postgres: { status: 'up' }, redis: { status: 'up' }, journal: { status: 'up', partitionDaysAhead: 7 } },
};

/** Liveness and readiness for orchestrators (terminus's document shape). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly partitions: JournalPartitions,
  ) {}

  @Get()
  @HealthCheck()
  @ApiPublic()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiJsonResponse(200, 'Alive', healthSchema, { status: 'ok', info: {}, error: {}, details: {} }, NOT_CACHED)
  @ApiProblemsCarrying(['Cache-Control'], 503)
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiPublic()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL answers and the call journal has partitions at least 7 days ahead; Redis is reported, not required',
    description:
      'A registry call that cannot be journaled is not answered, and the journal has no default partition: fewer days ahead than 7 means the daily maintenance job is not running. ' +
      'Redis holds only the queues (and shared rate counters, which fall back to per-process ones): while it is down the registry keeps serving, so the gateway stays ready and `error.redis` says what is down.',
  })
  @ApiJsonResponse(200, 'Ready (Redis may be down: see `error`)', healthSchema, readyExample, NOT_CACHED)
  @ApiProblemsCarrying(['Cache-Control'], 503)
  async ready(): Promise<HealthCheckResult> {
    const redis = this.probe('redis', () => this.redis.ping(), 'the queues are unavailable (jobs wait; registry calls are served)');
    try {
      return withReported(await this.health.check([() => this.probe('postgres', () => this.pool.query('SELECT 1')), () => this.journalAhead()]), await redis);
    } catch (error) {
      // Not ready for another reason: the problem's `checks` still show Redis's state.
      const details = error instanceof ServiceUnavailableException ? (error.getResponse() as { details?: Record<string, unknown> }).details : undefined;
      if (details) Object.assign(details, await redis);
      throw error;
    }
  }

  private async journalAhead() {
    const indicator = this.indicators.check('journal');
    try {
      const days = await withTimeout(this.partitions.daysAhead());
      return days >= JournalPartitions.DAYS_AHEAD
        ? indicator.up({ partitionDaysAhead: days })
        : indicator.down({ partitionDaysAhead: days, message: `journal partitions exist ${days} days ahead; at least ${JournalPartitions.DAYS_AHEAD} are needed` });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /** `consequence`, when given, says what the service being down means, before the error's own message. */
  private async probe(key: 'postgres' | 'redis', check: () => Promise<unknown>, consequence?: string) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(check());
      return indicator.up();
    } catch (error) {
      const message = (error as Error).message;
      return indicator.down({ message: consequence ? `${consequence}: ${message}` : message });
    }
  }
}
