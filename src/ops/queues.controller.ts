import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { QueueName } from '../queue/queue-names.js';
import { QueueOperations } from './queue-operations.service.js';
import {
  cleanRequestSchema,
  cleanResultSchema,
  JOB_PAGE_EXAMPLE,
  jobPageSchema,
  jobSearchSchema,
  QUEUE_EXAMPLE,
  queueNameSchema,
  queueOverviewSchema,
  QUEUES_EXAMPLE,
  queuesOverviewSchema,
  retryResultSchema,
} from './queues.dto.js';

const queueParam = () => ApiZodParam('name', queueNameSchema, QueueName.Verification, 'A queue (404 `queue_not_found` for any other name)');

/** Operators' view and controls of the BullMQ queues (admin key). Nothing here is per process: all is in Redis. */
@ApiTags('operations')
@Controller('ops/queues')
@UseGuards(AdminGuard)
@ApiBearerAuth()
export class QueuesController {
  constructor(private readonly operations: QueueOperations) {}

  @Get()
  @ApiOperation({
    summary: 'Every queue: jobs by state, throughput of the last 15 minutes, oldest waiting job, pause, and its workers',
    description: 'Workers are listed by their heartbeat (every 5 s); throughput comes from the counts the workers keep in Redis per minute.',
  })
  @ApiJsonResponse(200, 'The queues', queuesOverviewSchema, QUEUES_EXAMPLE)
  @ApiProblems(401, 403, 503)
  overview() {
    return this.operations.overview();
  }

  @Get(':name/jobs')
  @ApiOperation({
    summary: 'The jobs of a queue in one state, newest first: by job name, or the one job of an id',
    description: 'Cursor-paginated by position in the state, so a job that changes state meanwhile may be skipped or seen twice.',
  })
  @queueParam()
  @ApiZodQuery(jobSearchSchema, { state: 'failed', name: 'verify-dossier', limit: 50 })
  @ApiJsonResponse(200, 'A page of jobs', jobPageSchema, JOB_PAGE_EXAMPLE)
  @ApiProblems(400, 401, 403, 404, 503)
  jobs(@Param('name') name: string, @Query() query: unknown) {
    return this.operations.jobs(name, query);
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a queue: no worker takes a new job from it; active jobs finish. Idempotent.' })
  @queueParam()
  @ApiJsonResponse(200, 'The queue, paused', queueOverviewSchema, { ...QUEUE_EXAMPLE, isPaused: true, counts: { ...QUEUE_EXAMPLE.counts, paused: QUEUE_EXAMPLE.counts.waiting } })
  @ApiProblems(401, 403, 404, 503)
  pause(@Param('name') name: string) {
    return this.operations.pause(name);
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused queue. Idempotent.' })
  @queueParam()
  @ApiJsonResponse(200, 'The queue, running', queueOverviewSchema, QUEUE_EXAMPLE)
  @ApiProblems(401, 403, 404, 503)
  resume(@Param('name') name: string) {
    return this.operations.resume(name);
  }

  @Post(':name/retry-failed')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move every failed job of a queue back to waiting, for another round of attempts',
    description: 'Each job keeps its id, so a job id derived from its subject (a dossier) stays unique.',
  })
  @queueParam()
  @ApiJsonResponse(200, 'How many were moved', retryResultSchema, { queue: QueueName.Verification, retried: 3 })
  @ApiProblems(401, 403, 404, 503)
  retryFailed(@Param('name') name: string) {
    return this.operations.retryFailed(name);
  }

  @Post(':name/clean')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Remove the jobs of one state from a queue (completed, failed, delayed, waiting or prioritized)',
    description: 'Active jobs cannot be cleaned: a worker holds them. Jobs younger than `graceMs` stay; at most `limit` go per call.',
  })
  @queueParam()
  @ApiZodBody(cleanRequestSchema, { state: 'completed', graceMs: 3_600_000, limit: 1_000 })
  @ApiJsonResponse(200, 'What was removed', cleanResultSchema, { queue: QueueName.Verification, state: 'completed', removed: 2, removedJobIds: ['verify-0193a0b2-7c4d-7e1f-8a2b-3c4d5e6f7a8b', 'verify-0193a0b2-81e0-7a4c-9d2e-1f3a5b7c9d0e'] })
  @ApiProblems(400, 401, 403, 404, 503)
  clean(@Param('name') name: string, @Body() body: unknown) {
    return this.operations.clean(name, body);
  }
}
