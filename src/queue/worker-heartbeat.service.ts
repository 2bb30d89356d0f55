import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { REDIS } from './redis.module.js';

/** How often a worker process writes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat key outlives three missed beats, then Redis drops it: the worker is gone. */
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_INTERVAL_MS;

/** What a worker process says of itself in each heartbeat. */
export interface WorkerHeartbeatRecord {
  /** Unique per process start (several apps may share a process, as in tests). */
  workerId: string;
  pid: number;
  host: string;
  /** The queues this process runs a worker on. */
  queues: string[];
  startedAt: string;
  lastBeatAt: string;
}

/**
 * Where heartbeats live: one key per worker (with a TTL) and a set indexing them, under the queue prefix so that
 * test runs and deployments sharing a Redis do not see each other's workers. The set saves a SCAN over every job
 * key; a member whose key has expired is removed by the next reader. Queue keys are `<prefix>:<queue>:...`, and no
 * queue is named `_workers`.
 */
const indexKey = (prefix: string) => `${prefix}:_workers`;
const workerKey = (prefix: string, workerId: string) => `${prefix}:_workers:${workerId}`;

/** The workers whose heartbeat has not expired, oldest first. */
export async function listWorkerHeartbeats(redis: Redis, prefix: string): Promise<WorkerHeartbeatRecord[]> {
  const ids = await redis.smembers(indexKey(prefix));
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => workerKey(prefix, id)));
  const gone = ids.filter((_, index) => values[index] === null);
  if (gone.length > 0) await redis.srem(indexKey(prefix), ...gone);
  return values
    .filter((value): value is string => value !== null)
    .map((value) => JSON.parse(value) as WorkerHeartbeatRecord)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.workerId.localeCompare(b.workerId));
}

/** What `CONFIG GET maxmemory-policy` told, and the warning to log when it is not `noeviction`. */
export interface EvictionPolicyCheck {
  policy: string | null;
  warning: string | null;
}

/**
 * BullMQ keeps jobs and their locks in Redis keys: a Redis that evicts keys under memory pressure loses jobs
 * silently, so BullMQ's production guide asks for `maxmemory-policy noeviction`. Managed Redis services often
 * forbid or rename CONFIG; then the policy cannot be read, which is said too.
 */
export async function checkEvictionPolicy(redis: Redis): Promise<EvictionPolicyCheck> {
  let policy: string | null;
  try {
    const answer = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    policy = answer[1] ?? null;
  } catch (error) {
    return {
      policy: null,
      warning: `could not check Redis's maxmemory-policy (CONFIG GET refused: ${(error as Error).message}); BullMQ needs noeviction, or jobs may be lost when Redis is full`,
    };
  }
  if (policy === 'noeviction') return { policy, warning: null };
  return {
    policy,
    warning: `Redis's maxmemory-policy is ${policy ?? 'unknown'}, not noeviction: when Redis is full it evicts keys and BullMQ loses jobs; set maxmemory-policy noeviction`,
  };
}

/**
 * The heartbeat of a process that runs queue workers (worker.ts, or the API unless WORKERS_IN_API=false): every
 * HEARTBEAT_INTERVAL_MS it writes who it is and which queues it serves, for GET /ops/queues. At start it checks
 * Redis's eviction policy. A beat that fails (Redis down) is skipped: the next one writes again once Redis is back.
 */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeat.name);
  private readonly workerId = randomUUID();
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  /** Set at shutdown: a beat still pending then must not write the key back. */
  private stopped = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { policy, warning } = await checkEvictionPolicy(this.redis);
    if (warning) this.logger.warn(warning);
    else this.logger.log(`Redis maxmemory-policy is ${policy}`);
    // The first beat waits for the other modules' bootstrap hooks, where a processor may start its own worker.
    setImmediate(() => void this.beat());
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Said at once rather than left to expire, so that the operators' view drops a stopped worker without delay.
    await this.redis
      .multi()
      .del(workerKey(this.config.queuePrefix, this.workerId))
      .srem(indexKey(this.config.queuePrefix), this.workerId)
      .exec()
      .catch(() => undefined);
  }

  /**
   * The queues of the BullMQ workers this process's providers hold in `worker`: a WorkerHost's (created by
   * @nestjs/bullmq once the modules are initialised), or one a processor builds itself, possibly in its own
   * onApplicationBootstrap, which is why this is read at each beat rather than once.
   */
  private servedQueues(): string[] {
    const queues = new Set<string>();
    for (const { instance } of this.discovery.getProviders()) {
      const worker = workerHeldBy(instance);
      if (worker) queues.add(worker.name);
    }
    return [...queues].sort();
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const record: WorkerHeartbeatRecord = {
      workerId: this.workerId,
      pid: process.pid,
      host: hostname(),
      queues: this.servedQueues(),
      startedAt: this.startedAt,
      lastBeatAt: new Date().toISOString(),
    };
    try {
      await this.redis
        .multi()
        .set(workerKey(this.config.queuePrefix, this.workerId), JSON.stringify(record), 'PX', HEARTBEAT_TTL_MS)
        .sadd(indexKey(this.config.queuePrefix), this.workerId)
        .exec();
    } catch (error) {
      this.logger.debug(`heartbeat not written: ${(error as Error).message}`);
    }
  }
}

/** The BullMQ worker a provider holds in `worker`, if any. */
function workerHeldBy(instance: unknown): Worker | null {
  if (instance === null || typeof instance !== 'object' || !('worker' in instance)) return null;
  try {
    const worker = (instance as { worker: unknown }).worker;
    return worker instanceof Worker ? worker : null;
  } catch {
    return null; // a WorkerHost's getter throws until its worker exists
  }
}
