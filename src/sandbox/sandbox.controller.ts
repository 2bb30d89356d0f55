import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard, AnyKeyGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { registryEventSchema } from '../registry/registry-event.dto.js';
import { recordedChangesSchema } from '../registry/registry.dto.js';
import { datasetSpecSchema } from '../config/dataset-spec.js';
import { EXAMPLES } from '../registry/registry.examples.js';
import { RegistryEventsService } from '../registry/registry-events.service.js';
import { PERSONAS } from './population/personas.js';
import { SandboxJobsProducer } from './sandbox-jobs.producer.js';
import { personasSchema, queuedJobSchema, sandboxJobViewSchema } from './sandbox.dto.js';

/** A reset names a dataset; its reference date defaults to today (UTC). */
const resetRequestSchema = datasetSpecSchema.partial({ referenceDate: true });

/** Sandbox controls: the personas catalogue (any valid key), recording change events and rebuilding the dataset (admin). */
@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxController {
  constructor(
    private readonly events: RegistryEventsService,
    private readonly jobs: SandboxJobsProducer,
  ) {}

  @Get('personas')
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Test personas: stable ID numbers present in every dataset, and what each one tests' })
  @ApiJsonResponse(200, 'The personas', personasSchema, EXAMPLES.personas)
  @ApiProblems(401, 503)
  personas(): z.infer<typeof personasSchema> {
    return { personas: PERSONAS.map(({ idNumber, key, title, tests, specialFields }) => ({ idNumber, key, title, tests, specialFields })) };
  }

  @Post('registry/events')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a change (move, death, missing, marriage, divorce, new card, birth)',
    description: 'Updates the record and appends to the changes feed in one transaction. A marriage or divorce appends one event per spouse.',
  })
  @ApiZodBody(registryEventSchema, EXAMPLES.moveEvent)
  @ApiJsonResponse(201, 'The events appended to the feed', recordedChangesSchema, EXAMPLES.recordedEvent)
  @ApiProblems(400, 401, 403, 404, 409, 503)
  recordEvent(@Body() body: unknown) {
    return this.events.record(body);
  }

  @Post('reset')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild the synthetic dataset from a seed (queued job)',
    description:
      'Queues a rebuild that replaces every citizen, household and change event in one transaction; the personas ' +
      'are always added. Follow progress at `statusUrl`. `referenceDate` (default today, UTC) is the generator\'s ' +
      '"today": the same seed, size and date give the same rows. While a rebuild is pending, another request ' +
      'returns the same job.',
  })
  @ApiZodBody(resetRequestSchema, { seed: 'popgate', citizens: 20000 })
  @ApiJsonResponse(202, 'The queued job', queuedJobSchema, EXAMPLES.resetJob)
  @ApiProblems(400, 401, 403, 503)
  async reset(@Body() body: unknown): Promise<z.infer<typeof queuedJobSchema>> {
    const request = parseInput(resetRequestSchema, body);
    const job = await this.jobs.enqueueReset({
      seed: request.seed,
      citizens: request.citizens,
      referenceDate: request.referenceDate ?? new Date().toISOString().slice(0, 10),
    });
    return { ...job, statusUrl: `/sandbox/jobs/${job.jobId}` };
  }

  @Get('jobs/:jobId')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'State and progress of a sandbox job (a reset)' })
  @ApiZodParam('jobId', z.string(), EXAMPLES.resetJob.jobId, 'The `jobId` of POST /sandbox/reset')
  @ApiJsonResponse(200, 'The job', sandboxJobViewSchema, EXAMPLES.resetJobDone)
  @ApiProblems(401, 403, 404, 503)
  job(@Param('jobId') jobId: string) {
    return this.jobs.find(jobId);
  }
}
