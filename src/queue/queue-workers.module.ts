import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerHeartbeat } from './worker-heartbeat.service.js';

/**
 * What every process that runs queue workers has besides its processors: the heartbeat (and the eviction-policy
 * check at start). Imported with the processors' modules by worker.ts and, unless WORKERS_IN_API=false, by the API.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [WorkerHeartbeat],
})
export class QueueWorkersModule {}
