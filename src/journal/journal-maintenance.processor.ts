import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { JournalPartitions } from './journal-partitions.service.js';

/** Runs the daily journal maintenance: partitions DAYS_AHEAD days ahead, then retention. Both are idempotent. */
@Processor(QueueName.Maintenance, { ...WORKER_OPTIONS, concurrency: 1 })
export class JournalMaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(JournalMaintenanceProcessor.name);

  constructor(private readonly partitions: JournalPartitions) {
    super();
  }

  async process(job: Job): Promise<{ created: string[]; dropped: string[] }> {
    if (job.name !== JobName.JournalMaintenance) throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.Maintenance}`);
    parseJobPayload(JobName.JournalMaintenance, job);
    const created = await this.partitions.ensureAhead();
    const dropped = await this.partitions.dropExpired();
    this.logger.log(`journal maintenance: created ${created.length} partitions, dropped ${dropped.length}`);
    return { created, dropped };
  }
}
