import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { CoverageJobsProducer } from './coverage-jobs.producer.js';
import { RollupRepository } from './rollup.repository.js';
import { RollupService } from './rollup.service.js';

/** Integration coverage per public service: the journal's rollups and the figures read from them. */
@Module({
  imports: [QueueModule],
  providers: [RollupRepository, RollupService, CoverageJobsProducer],
  exports: [RollupRepository, RollupService],
})
export class CoverageModule {}
