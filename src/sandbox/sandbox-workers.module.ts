import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { RedisModule } from '../queue/redis.module.js';
import { SandboxProcessor } from './sandbox.processor.js';

/** The sandbox's queue processors; imported by worker.ts and, unless WORKERS_IN_API=false, by the API. */
@Module({
  imports: [QueueModule, RedisModule],
  providers: [SandboxProcessor],
})
export class SandboxWorkersModule {}
