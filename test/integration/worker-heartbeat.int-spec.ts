import '../utils/test-env.js';
import 'reflect-metadata';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { bullConnection } from '../../src/queue/queue.module.js';
import { QueueWorkersModule } from '../../src/queue/queue-workers.module.js';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { REDIS, RedisModule } from '../../src/queue/redis.module.js';
import { checkEvictionPolicy, listWorkerHeartbeats } from '../../src/queue/worker-heartbeat.service.js';
import { expectEventually } from '../utils/expect-eventually.js';
import { PrivateRedis } from '../utils/private-redis.js';

/** The check a worker makes of Redis at start, on redis-servers of this test's own configured each way. */
describe("a worker's check of Redis's eviction policy", () => {
  const servers: PrivateRedis[] = [];
  const connections: Redis[] = [];
  afterAll(async () => {
    for (const connection of connections) await connection.quit();
    for (const server of servers) await server.destroy();
  });
  const redisWith = async (options: string[]): Promise<Redis> => {
    const server = await PrivateRedis.start(options);
    servers.push(server);
    const connection = await connectRedis(server.url);
    connections.push(connection);
    return connection;
  };

  it('is quiet when Redis evicts nothing', async () => {
    expect(await checkEvictionPolicy(await redisWith(['--maxmemory-policy', 'noeviction']))).toEqual({ policy: 'noeviction', warning: null });
  });

  it('warns when Redis may evict keys, naming the policy', async () => {
    const { policy, warning } = await checkEvictionPolicy(await redisWith(['--maxmemory-policy', 'allkeys-lru']));
    expect(policy).toBe('allkeys-lru');
    expect(warning).toMatch(/maxmemory-policy is allkeys-lru, not noeviction/);
  });

  it('says it could not check when CONFIG is not allowed (as on managed Redis)', async () => {
    const { policy, warning } = await checkEvictionPolicy(await redisWith(['--rename-command', 'CONFIG', '']));
    expect(policy).toBeNull();
    expect(warning).toMatch(/^could not check Redis's maxmemory-policy/);
  });
});

describe('listWorkerHeartbeats', () => {
  it('lists live heartbeats and forgets those that expired', async () => {
    const redis = await connectRedis(process.env.REDIS_URL!);
    const prefix = `popgate-test-heartbeat-${process.pid}-${Date.now()}`;
    try {
      const beat = (workerId: string, startedAt: string) => JSON.stringify({ workerId, pid: 1, host: 'h', queues: ['sandbox'], startedAt, lastBeatAt: startedAt });
      await redis.multi().set(`${prefix}:_workers:b`, beat('b', '2026-12-01T09:00:01.000Z'), 'PX', 60_000).set(`${prefix}:_workers:a`, beat('a', '2026-12-01T09:00:00.000Z'), 'PX', 60_000)
        .set(`${prefix}:_workers:gone`, beat('gone', '2026-12-01T08:00:00.000Z'), 'PX', 50).sadd(`${prefix}:_workers`, 'a', 'b', 'gone').exec();
      await expectEventually(async () => expect((await listWorkerHeartbeats(redis, prefix)).map((worker) => worker.workerId)).toEqual(['a', 'b']));
      expect((await redis.smembers(`${prefix}:_workers`)).sort()).toEqual(['a', 'b']);
    } finally {
      await redis.del(`${prefix}:_workers`, `${prefix}:_workers:a`, `${prefix}:_workers:b`);
      await redis.quit();
    }
  });
});

const OWN_QUEUE = `own-worker-${randomUUID().slice(0, 8)}`;

/** A processor that builds its own BullMQ worker when the application starts, not through @nestjs/bullmq's WorkerHost. */
@Injectable()
class OwnWorkerProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  worker: Worker | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(OWN_QUEUE, async () => 'done', { connection: bullConnection(this.config.redisUrl), prefix: this.config.queuePrefix });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }
}

@Module({ imports: [ConfigModule, RedisModule, QueueWorkersModule], providers: [OwnWorkerProcessor] })
class OwnWorkerModule {}

describe('the heartbeat of a worker process', () => {
  it("names the queue of a worker a processor builds itself, and is gone once the process's app closes", async () => {
    const app = await NestFactory.createApplicationContext(OwnWorkerModule, { logger: false });
    const redis = app.get<Redis>(REDIS);
    const prefix = process.env.QUEUE_PREFIX!;
    let workerId = '';
    try {
      await expectEventually(async () => {
        const mine = (await listWorkerHeartbeats(redis, prefix)).filter((worker) => worker.queues.includes(OWN_QUEUE));
        expect(mine).toEqual([{ workerId: expect.any(String), pid: process.pid, host: expect.any(String), queues: [OWN_QUEUE], startedAt: expect.any(String), lastBeatAt: expect.any(String) }]);
        workerId = mine[0].workerId;
      }, 8_000, 100);
    } finally {
      await app.close();
    }
    const other = await connectRedis(process.env.REDIS_URL!);
    try {
      expect((await listWorkerHeartbeats(other, prefix)).map((worker) => worker.workerId)).not.toContain(workerId);
    } finally {
      await other.quit();
    }
  }, 20_000);
});
