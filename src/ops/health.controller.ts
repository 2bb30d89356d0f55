import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type pg from 'pg';
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
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: 'Alive', schema: { example: { status: 'ok', info: {}, error: {}, details: {} } } })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis answer, and the call journal has partitions at least 7 days ahead',
    description: 'A registry call that cannot be journaled is not answered, and the journal has no default partition: fewer days ahead than 7 means the daily maintenance job is not running.',
  })
  @ApiOkResponse({ description: 'Ready', schema: { example: readyExample } })
  @ApiServiceUnavailableResponse({ description: 'A backing service does not answer' })
  ready() {
    return this.health.check([
      () => this.probe('postgres', () => this.pool.query('SELECT 1')),
      () => this.probe('redis', () => this.redis.ping()),
      () => this.journalAhead(),
    ]);
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

  private async probe(key: 'postgres' | 'redis', check: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(check());
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
