import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { DossierRollupService } from './dossier-rollup.service.js';
import { RollupService, type CatchUpResult } from './rollup.service.js';

/**
 * Runs the coverage queue's jobs: the rollups of the journal's closed hours and of the dossiers' hours of filing, and
 * replays of a window; idempotent (each hour is replaced).
 */
@Processor(QueueName.Coverage, { ...WORKER_OPTIONS, concurrency: 1 })
export class CoverageProcessor extends WorkerHost {
  constructor(
    private readonly rollups: RollupService,
    private readonly dossierRollups: DossierRollupService,
  ) {
    super();
  }

  async process(job: Job): Promise<(CatchUpResult & { dossiers: Awaited<ReturnType<DossierRollupService['refresh']>> }) | { replayed: string[] }> {
    switch (job.name) {
      case JobName.CoverageRollups: {
        parseJobPayload(JobName.CoverageRollups, job);
        // Each on its own: an hour of the journal that fails to roll up must not hold the dossiers' rollups back
        // (their reads would go to the dossiers for ever more hours), nor the other way round; the job fails (and is
        // retried) if either did.
        const [calls, dossiers] = await Promise.allSettled([this.rollups.catchUp(), this.dossierRollups.refresh()]);
        if (calls.status === 'rejected' && dossiers.status === 'rejected') {
          throw new AggregateError([calls.reason, dossiers.reason], 'the journal rollups and the dossier rollups both failed');
        }
        if (calls.status === 'rejected') throw calls.reason;
        if (dossiers.status === 'rejected') throw dossiers.reason;
        return { ...calls.value, dossiers: dossiers.value };
      }
      case JobName.CoverageReplay: {
        const { fromHour, toHour } = parseJobPayload(JobName.CoverageReplay, job);
        return { replayed: await this.rollups.replay(fromHour, toHour) };
      }
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.Coverage}`);
    }
  }
}
