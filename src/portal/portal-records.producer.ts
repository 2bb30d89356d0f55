import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { NotFoundError } from '../common/domain-error.js';
import { JOB_PRESETS } from '../queue/job-options.js';
import type { JobPayload } from '../queue/job-payloads.js';
import { queueCall } from '../queue/queue-unavailable.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import type { GeneratedRecords, RecordsJobView } from './portal-record.dto.js';

/**
 * The only caller of `add` on the portal-records queue. As a dataset reset, a generation is deduplicated while one
 * is waiting or running: a second request (a double click, a retry after a timeout) gets the same job, whose
 * `request` says what it generates, instead of a second generation replacing the first's records meanwhile.
 */
@Injectable()
export class PortalRecordsProducer {
  constructor(@InjectQueue(QueueName.PortalRecords) private readonly queue: Queue) {}

  async enqueueGeneration(payload: JobPayload<JobName.GeneratePortalRecords>): Promise<RecordsJobView> {
    const job = await queueCall(() =>
      this.queue.add(JobName.GeneratePortalRecords, payload, {
        ...JOB_PRESETS.rebuild,
        deduplication: { id: JobName.GeneratePortalRecords },
      }),
    );
    return this.view(job);
  }

  async find(jobId: string): Promise<RecordsJobView> {
    const job = /^[\w:-]{1,64}$/.test(jobId) ? await queueCall(() => this.queue.getJob(jobId)) : undefined;
    if (!job || job.name !== JobName.GeneratePortalRecords) {
      throw new NotFoundError('job_not_found', 'No generation of portal records has this id (finished jobs are kept for 24 hours).');
    }
    return this.view(job);
  }

  private async view(job: Job): Promise<RecordsJobView> {
    const state = await queueCall(() => job.getState());
    const request = job.data as JobPayload<JobName.GeneratePortalRecords>;
    return {
      jobId: String(job.id),
      state,
      progress: typeof job.progress === 'number' ? job.progress : 0,
      request: { serviceCode: request.serviceCode, count: request.count, driftRate: request.driftRate, seed: request.seed },
      result: (job.returnvalue as GeneratedRecords | undefined) ?? null,
      failedReason: job.failedReason ?? null,
      queuedAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }
}
