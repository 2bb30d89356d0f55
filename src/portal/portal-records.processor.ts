import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { DomainError } from '../common/domain-error.js';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import type { GeneratedRecords } from './portal-record.dto.js';
import { PortalRecordGenerator } from './portal-record-generator.js';

/**
 * Runs generations of portal records, one at a time. A generation is idempotent: it replaces the records
 * of its services in one transaction, so a re-run after a killed worker leaves exactly the records its payload
 * describes.
 */
@Processor(QueueName.PortalRecords, { ...WORKER_OPTIONS, concurrency: 1 })
export class PortalRecordsProcessor extends WorkerHost {
  private readonly logger = new Logger(PortalRecordsProcessor.name);

  constructor(private readonly generator: PortalRecordGenerator) {
    super();
  }

  async process(job: Job): Promise<GeneratedRecords> {
    switch (job.name) {
      case JobName.GeneratePortalRecords:
        return this.generate(job);
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.PortalRecords}`);
    }
  }

  private async generate(job: Job): Promise<GeneratedRecords> {
    const payload = parseJobPayload(JobName.GeneratePortalRecords, job);
    let reported = -1;
    try {
      const result = await this.generator.generate(payload, (percent) => {
        if (percent > reported) {
          reported = percent;
          // Progress is for the poller: a Redis hiccup loses one figure, not the generation.
          void job.updateProgress(percent).catch(() => undefined);
        }
      });
      await job.updateProgress(100);
      this.logger.log(`generation ${job.id}: ${result.records} portal records in ${result.durationMs} ms`);
      return result;
    } catch (error) {
      // A service removed from the catalog since the request was queued: running again cannot help.
      if (error instanceof DomainError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
