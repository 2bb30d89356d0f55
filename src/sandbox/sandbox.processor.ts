import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { REDIS } from '../queue/redis.module.js';
import { WORKER_OPTIONS } from '../queue/job-options.js';
import { parseJobPayload } from '../queue/job-payloads.js';
import { JobName, QueueName } from '../queue/queue-names.js';
import { RegistrySeeder, type SeedResult } from './seeding/registry-seeder.js';

/**
 * Runs sandbox jobs. A reset is idempotent: it replaces the dataset in one transaction, so a re-run after a killed
 * worker leaves exactly the dataset the payload describes.
 */
@Processor(QueueName.Sandbox, { ...WORKER_OPTIONS, concurrency: 1 })
export class SandboxProcessor extends WorkerHost {
  private readonly logger = new Logger(SandboxProcessor.name);

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @InjectQueue(QueueName.Verification) private readonly verification: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job): Promise<SeedResult> {
    switch (job.name) {
      case JobName.ResetDataset:
        return this.resetDataset(job);
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on queue ${QueueName.Sandbox}`);
    }
  }

  /**
   * The portal's queue is paused while the registry is replaced (workers finish what they hold; a job that read the
   * old dataset sees the new dataset epoch and runs again), and resumed after, unless an operator had paused it. A
   * marker in Redis says that a reset paused it, so that a reset run again after its worker died (the queue still
   * paused by the first run) resumes it too, instead of taking it for an operator's pause.
   */
  private async resetDataset(job: Job): Promise<SeedResult> {
    const payload = parseJobPayload(JobName.ResetDataset, job);
    const marker = `${this.config.queuePrefix}:sandbox:reset-paused-verification`;
    const pausedByReset = (await this.redis.get(marker)) !== null;
    const pausedByOperator = !pausedByReset && (await this.verification.isPaused());
    if (!pausedByOperator) {
      await this.redis.set(marker, String(job.id), 'EX', 24 * 3600);
      await this.verification.pause();
    }
    try {
      return await this.rebuild(job, payload);
    } finally {
      if (!pausedByOperator) {
        await this.verification.resume();
        await this.redis.del(marker);
      }
    }
  }

  private async rebuild(job: Job, payload: ReturnType<typeof parseJobPayload<JobName.ResetDataset>>): Promise<SeedResult> {
    let reported = 0;
    const result = await new RegistrySeeder(this.pool).reset({
      ...payload,
      onProgress: (written, total) => {
        const percent = total === 0 ? 100 : Math.floor((written / total) * 100);
        if (percent > reported) {
          reported = percent;
          void job.updateProgress(percent);
        }
      },
    });
    await job.updateProgress(100);
    this.logger.log(`reset the sandbox dataset: ${result.generatedCitizens} citizens in ${result.durationMs} ms`);
    return result;
  }
}
