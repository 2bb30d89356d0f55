import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/queue/redis-connection.js';
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
