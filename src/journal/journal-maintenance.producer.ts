import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JOB_PRESETS } from '../queue/job-options.js';
import { JobName, QueueName } from '../queue/queue-names.js';

/**
 * The only caller of the maintenance queue: one job scheduler runs the journal's maintenance every day just after
 * midnight, Vietnam time (partitions ahead, retention). Upserting it is idempotent, so every process may do it at
 * start; a start while Redis is down only postpones it (partitions are also ensured at every start).
 */
@Injectable()
export class JournalMaintenanceProducer implements OnApplicationBootstrap {
  static readonly SCHEDULER_ID = 'journal-maintenance-daily';
  private readonly logger = new Logger(JournalMaintenanceProducer.name);

  constructor(@InjectQueue(QueueName.Maintenance) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        JournalMaintenanceProducer.SCHEDULER_ID,
        { pattern: '5 0 * * *', tz: 'Asia/Ho_Chi_Minh' },
        { name: JobName.JournalMaintenance, data: {}, opts: JOB_PRESETS.rebuild },
      );
    } catch (error) {
      this.logger.warn(`could not schedule the daily journal maintenance (Redis unavailable?): ${(error as Error).message}`);
    }
  }
}
