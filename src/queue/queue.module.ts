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
 * The one factory of queues: every QueueName is registered here, the same way. BullMQ's shared connection is the
 * workers' (they must wait out a Redis restart); each queue's own connection is the producers' and fails fast
 * (`enableOfflineQueue: false`): a request made while Redis is down gets a 503 at once instead of hanging.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: bullConnection(config.redisUrl), prefix: config.queuePrefix }),
    }),
    ...Object.values(QueueName).map((name) =>
      BullModule.registerQueueAsync({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          connection: { ...bullConnection(config.redisUrl), enableOfflineQueue: false },
          prefix: config.queuePrefix,
        }),
      }),
    ),
  ],
  exports: [BullModule],
})
export class QueueModule {}
