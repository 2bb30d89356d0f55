import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { QueueName } from './queue-names.js';

/** ioredis options from a redis:// URL, in the form BullMQ takes. */
export function bullConnection(redisUrl: string) {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * BullMQ's shared connection (used by workers, which must wait out a Redis restart) and the queues. The queues'
 * own connections are the producers' and fail fast (`enableOfflineQueue: false`): a request made while Redis is
 * down gets a 503 at once instead of hanging.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: bullConnection(config.redisUrl), prefix: config.queuePrefix }),
    }),
    BullModule.registerQueueAsync({
      name: QueueName.Sandbox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { ...bullConnection(config.redisUrl), enableOfflineQueue: false },
        prefix: config.queuePrefix,
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
