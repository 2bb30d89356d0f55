import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { CoverageProcessor } from './coverage.processor.js';
import { CoverageModule } from './coverage.module.js';

/** The coverage queue's processor; imported by worker.ts and, unless WORKERS_IN_API=false, by the API. */
@Module({
  imports: [QueueModule, CoverageModule],
  providers: [CoverageProcessor],
})
export class CoverageWorkersModule {}
