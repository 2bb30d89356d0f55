import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { RollupService, type CatchUpResult } from './rollup.service.js';

/** Runs the coverage queue's jobs: the rollups of the journal's closed hours, and replays of a window; idempotent (each hour is replaced). */
@Processor(QueueName.Coverage, { ...WORKER_OPTIONS, concurrency: 1 })
export class CoverageProcessor extends WorkerHost {
  constructor(private readonly rollups: RollupService) {
    super();
  }

  async process(job: Job): Promise<CatchUpResult | { replayed: string[] }> {
    switch (job.name) {
      case JobName.CoverageRollups:
        parseJobPayload(JobName.CoverageRollups, job);
        return this.rollups.catchUp();
      case JobName.CoverageReplay: {
        const { fromHour, toHour } = parseJobPayload(JobName.CoverageReplay, job);
        return { replayed: await this.rollups.replay(fromHour, toHour) };
      }
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.Coverage}`);
    }
  }
}
