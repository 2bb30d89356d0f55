import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { RollupService, type CatchUpResult } from './rollup.service.js';

/** Runs the coverage queue's jobs: the rollups of the journal's closed hours, idempotent (each hour is replaced). */
@Processor(QueueName.Coverage, { ...WORKER_OPTIONS, concurrency: 1 })
export class CoverageProcessor extends WorkerHost {
  constructor(private readonly rollups: RollupService) {
    super();
  }

  async process(job: Job): Promise<CatchUpResult> {
    if (job.name !== JobName.CoverageRollups) throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.Coverage}`);
    parseJobPayload(JobName.CoverageRollups, job);
    return this.rollups.catchUp();
  }
}
