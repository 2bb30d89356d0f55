import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { queueCall } from '../queue/queue-unavailable.js';
import { JOB_PRESETS } from '../queue/job-options.js';
import { JobName, QueueName } from '../queue/queue-names.js';

/**
 * The only caller of the coverage queue: one job scheduler rolls up the journal's closed hours and refreshes the
 * dossier rollups every five minutes (an hour closes ROLLUP_GRACE_MS after its end, so its rollup comes at most five
 * minutes after that). A cron
 * pattern rather than `every`: the first job waits for the next five-minute mark instead of running at each start.
 * Upserting the scheduler is idempotent, so every process may do it at start; a start while Redis is down only
 * postpones it.
 */
@Injectable()
export class CoverageJobsProducer implements OnApplicationBootstrap {
  static readonly SCHEDULER_ID = 'coverage-rollups';
  static readonly PATTERN = '*/5 * * * *';
  private readonly logger = new Logger(CoverageJobsProducer.name);

  constructor(@InjectQueue(QueueName.Coverage) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        CoverageJobsProducer.SCHEDULER_ID,
        { pattern: CoverageJobsProducer.PATTERN, tz: 'UTC' },
        { name: JobName.CoverageRollups, data: {}, opts: JOB_PRESETS.rebuild },
      );
    } catch (error) {
      this.logger.warn(`could not schedule the coverage rollups (Redis unavailable?): ${(error as Error).message}`);
    }
  }

  /**
   * Queues a replay of the whole UTC hours [fromHour, toHour): its job id names the window, so the same window asked
   * twice while the first waits is queued once (and a replay run twice still adds nothing: each hour is replaced).
   */
  async replay(fromHour: number, toHour: number): Promise<{ jobId: string }> {
    const jobId = `replay-${fromHour}-${toHour}`;
    await queueCall(() => this.queue.add(JobName.CoverageReplay, { fromHour, toHour }, { ...JOB_PRESETS.rebuild, jobId }));
    return { jobId };
  }
}
