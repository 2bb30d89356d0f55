import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { queueCall } from '../queue/queue-unavailable.js';
import { InjectQueue } from '@nestjs/bullmq';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Job, JobType, Queue } from 'bullmq';
import { z } from 'zod';
import { AdminGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { DossierRepository, type DeadLetterRow } from '../portal/dossier.repository.js';
import { dossierIdOfJob, verificationJobId, VerificationProducer } from '../portal/verification.producer.js';
import { QueueName } from '../queue/queue-names.js';
import {
  deadLetterPageSchema,
  deadLetterQuerySchema,
  redriveResultSchema,
  redriveSchema,
  verificationJobListSchema,
  verificationJobQuerySchema,
  type DeadLetterView,
} from './dead-letters.dto.js';

const EXAMPLE_LETTER: DeadLetterView = {
  deadLetterId: '42',
  dossierId: '0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
  serviceCode: '1.004222',
  jobId: 'verify-0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b',
  reasonClass: 'registry_unreachable',
  error: 'unavailable: The registry is unavailable (simulated); try again after Retry-After.',
  attempts: 6,
  failedAt: '2026-12-01T03:16:12.004Z',
  redrivenAt: null,
};

function toView(row: DeadLetterRow): DeadLetterView {
  return { ...row, failedAt: row.failedAt.toISOString(), redrivenAt: row.redrivenAt?.toISOString() ?? null };
}

/**
 * Dead letters of the verification queue, from Postgres (they outlive Redis), with re-drive; and the verification
 * jobs, searched by dossier, service and state. Admin key.
 */
@ApiTags('operations')
@Controller('ops')
@UseGuards(AdminGuard)
@ApiBearerAuth()
export class DeadLettersController {
  constructor(
    private readonly dossiers: DossierRepository,
    private readonly producer: VerificationProducer,
    @InjectQueue(QueueName.Verification) private readonly queue: Queue,
  ) {}

  @Get('dead-letters')
  @ApiOperation({ summary: 'Dead letters of the verification queue, newest first (open ones unless includeRedriven=true)' })
  @ApiZodQuery(deadLetterQuerySchema, { serviceCode: '1.004222', reasonClass: 'registry_unreachable', limit: 50 })
  @ApiJsonResponse(200, 'A page of dead letters', deadLetterPageSchema, { deadLetters: [EXAMPLE_LETTER], nextCursor: null })
  @ApiProblems(400, 401, 403, 503)
  async list(@Query() query: unknown): Promise<z.infer<typeof deadLetterPageSchema>> {
    const { cursor, limit, includeRedriven, ...filter } = parseInput(deadLetterQuerySchema, query, 'query');
    const rows = await this.dossiers.deadLetters({ ...filter, openOnly: includeRedriven === 'false' }, cursor ?? null, limit);
    const page = rows.slice(0, limit);
    return { deadLetters: page.map(toView), nextCursor: rows.length > limit ? page[page.length - 1].deadLetterId : null };
  }

  @Post('dead-letters/redrive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-drive the open dead letters that match: each dossier goes back to `received` and its job runs again under its own job id',
    description:
      'The dossiers are moved back and given an outbox row in one transaction, then their jobs are retried (a failed job Redis still holds) ' +
      'or added again (one it no longer holds), under the same job id, so that a re-drive sent twice queues each dossier once. ' +
      'A re-drive needs a filter, or `all: true`.',
  })
  @ApiZodBody(redriveSchema, { serviceCode: '1.004222', reasonClass: 'registry_unreachable' })
  @ApiJsonResponse(200, 'What was re-driven', redriveResultSchema, { redriven: 1, dossierIds: [EXAMPLE_LETTER.dossierId] })
  @ApiProblems(400, 401, 403, 503)
  async redrive(@Body() body: unknown): Promise<z.infer<typeof redriveResultSchema>> {
    const { all: _all, ...filter } = parseInput(redriveSchema, body);
    const letters = await this.dossiers.redrive({ ...filter, openOnly: true });
    // The outbox holds them now: a Redis failure here leaves them to the reconciler.
    for (const { dossierId } of letters) await this.producer.redrive(dossierId).catch(() => undefined);
    return { redriven: letters.length, dossierIds: letters.map((letter) => letter.dossierId) };
  }

  @Get('verification-jobs')
  @ApiOperation({
    summary: 'Verification jobs by dossier, service and state',
    description:
      'With `dossierId`, that dossier\'s job (its id is derived from the dossier id). With `serviceCode`, the jobs of the service\'s newest dossiers ' +
      '(up to 500 looked at when a `state` is asked for too). Otherwise the newest jobs in `state` (default `failed`). Jobs Redis no longer holds ' +
      '(finished jobs are kept a day, failed ones a week) are not listed; their dossiers are.',
  })
  @ApiZodQuery(verificationJobQuerySchema, { state: 'failed', serviceCode: '1.004222', limit: 50 })
  @ApiJsonResponse(200, 'The jobs', verificationJobListSchema, {
    jobs: [{ jobId: EXAMPLE_LETTER.jobId, dossierId: EXAMPLE_LETTER.dossierId, serviceCode: '1.004222', state: 'failed', attemptsMade: 6, failedReason: 'attempt 6: unavailable', queuedAt: '2026-12-01T03:15:04.120Z', finishedAt: '2026-12-01T03:16:12.001Z' }],
  })
  @ApiProblems(400, 401, 403, 503)
  async jobs(@Query() query: unknown): Promise<z.infer<typeof verificationJobListSchema>> {
    const { dossierId, serviceCode, state, limit } = parseInput(verificationJobQuerySchema, query, 'query');
    // The candidates: the dossier asked for; else the service's newest dossiers, from Postgres (a job id is derived
    // from its dossier id); else the newest jobs in the state asked for (failed by default), from Redis.
    const jobs = await queueCall(async (): Promise<Array<Job | undefined>> => {
      if (dossierId) return [await this.queue.getJob(verificationJobId(dossierId))];
      if (serviceCode) {
        const ids = await this.dossiers.newestOfService(serviceCode, state === undefined ? limit : Math.max(limit, 500));
        return Promise.all(ids.map((id) => this.queue.getJob(verificationJobId(id))));
      }
      return this.queue.getJobs([(state ?? 'failed') as JobType], 0, limit - 1, false);
    });
    const views = [];
    for (const job of jobs.filter((job): job is Job => Boolean(job))) {
      const id = dossierIdOfJob(String(job.id));
      if (!id) continue;
      const jobState = await queueCall(() => job.getState());
      if (state && jobState !== state) continue;
      const dossier = serviceCode ? { serviceCode } : await this.dossiers.find(id);
      views.push({
        jobId: String(job.id),
        dossierId: id,
        serviceCode: dossier?.serviceCode ?? null,
        state: jobState,
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason ?? null,
        queuedAt: new Date(job.timestamp).toISOString(),
        finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      });
      if (views.length >= limit) break;
    }
    return { jobs: views };
  }

}
