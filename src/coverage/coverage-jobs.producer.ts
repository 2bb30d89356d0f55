import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JOB_PRESETS } from '../queue/job-options.js';
import { JobName, QueueName } from '../queue/queue-names.js';

/**
 * The only caller of the coverage queue: one job scheduler rolls up the journal's closed hours every five minutes
 * (an hour closes ROLLUP_GRACE_MS after its end, so its rollup comes at most five minutes after that). Upserting the
 * scheduler is idempotent, so every process may do it at start; a start while Redis is down only postpones it.
 */
@Injectable()
export class CoverageJobsProducer implements OnApplicationBootstrap {
  static readonly SCHEDULER_ID = 'coverage-rollups';
  static readonly EVERY_MS = 5 * 60_000;
  private readonly logger = new Logger(CoverageJobsProducer.name);

  constructor(@InjectQueue(QueueName.Coverage) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        CoverageJobsProducer.SCHEDULER_ID,
        { every: CoverageJobsProducer.EVERY_MS },
        { name: JobName.CoverageRollups, data: {}, opts: JOB_PRESETS.rebuild },
      );
    } catch (error) {
      this.logger.warn(`could not schedule the coverage rollups (Redis unavailable?): ${(error as Error).message}`);
    }
  }
}
