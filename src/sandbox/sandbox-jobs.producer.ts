import { InjectQueue } from '@nestjs/bullmq';
import { queueCall } from '../queue/queue-unavailable.js';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { NotFoundError } from '../common/domain-error.js';
import { JOB_PRESETS } from '../queue/job-options.js';
import type { JobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import type { SeedResult } from './seeding/registry-seeder.js';
import type { z } from 'zod';
import type { sandboxJobViewSchema } from './sandbox.dto.js';

/** A job as the sandbox API shows it. */
export type SandboxJobView = z.infer<typeof sandboxJobViewSchema>;

/**
 * The only caller of `add` on the sandbox queue. A reset is deduplicated while one is waiting or running: a second
 * request (a double click, a retry after a timeout) gets the same job instead of a second rebuild.
 */
@Injectable()
export class SandboxJobsProducer {
  constructor(@InjectQueue(QueueName.Sandbox) private readonly queue: Queue) {}

  async enqueueReset(payload: JobPayload<JobName.ResetDataset>): Promise<SandboxJobView> {
    const job = await queueCall(() =>
      this.queue.add(JobName.ResetDataset, payload, {
        ...JOB_PRESETS.rebuild,
        deduplication: { id: JobName.ResetDataset },
      }),
    );
    return this.view(job);
  }

  async find(jobId: string): Promise<SandboxJobView> {
    const job = /^[\w:-]{1,64}$/.test(jobId) ? await queueCall(() => this.queue.getJob(jobId)) : undefined;
    if (!job) throw new NotFoundError('job_not_found', 'No sandbox job has this id (finished jobs are kept for 24 hours).');
    return this.view(job);
  }

  private async view(job: Job): Promise<SandboxJobView> {
    const state = await queueCall(() => job.getState());
    return {
      jobId: String(job.id),
      name: job.name,
      state,
      progress: typeof job.progress === 'number' ? job.progress : 0,
      result: (job.returnvalue as SeedResult | undefined) ?? null,
      failedReason: job.failedReason ?? null,
      queuedAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }

}
