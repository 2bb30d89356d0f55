import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { PortalRecordGenerator } from './portal-record-generator.js';
import { generateRecordsSchema, MAX_GENERATED_RECORDS, queuedRecordsJobSchema, recordsJobViewSchema, type QueuedRecordsJob, type RecordsJobView } from './portal-record.dto.js';
import { RECORD_EXAMPLES } from './portal-record.examples.js';
import { PortalRecordsProducer } from './portal-records.producer.js';

/**
 * The sandbox's generator of portal records. Its route is under /sandbox with the other sandbox writes (admin key),
 * its code in portal/ because it writes the portal's records: sandbox/ sits below portal/ and may not import it.
 */
@ApiTags('sandbox')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('sandbox/portal/records')
export class PortalRecordGeneratorController {
  constructor(
    private readonly generator: PortalRecordGenerator,
    private readonly jobs: PortalRecordsProducer,
  ) {}

  @Post('generate')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Generate portal records from registry citizens, a share with one labelled drift each (queued job, admin)',
    description:
      `Queues a job that replaces every record of the service (or of every catalog service), whatever its \`source\`, with \`count\` new ones (a running sync run of the service is stopped) ` +
      `(1-${MAX_GENERATED_RECORDS.toLocaleString('en')}); follow its progress at \`statusUrl\`. \`round(count × driftRate)\` records carry ` +
      'one drift each, the kinds in equal shares; the rest are faithful copies (`label: null`). Each `label` says what a correct ' +
      'reconciliation against the registry finds (`fields` that differ, `expected`): `stale_address` (the residence left in the ' +
      "citizen's last recorded move) → mismatch of `permanentAddress` and/or `currentAddress`; `unrecorded_death` (deceased in the registry, " +
      '`alive` here) → mismatch of `status`; `marital_status` (the status before an unrecorded marriage or divorce, `unrecorded`) → mismatch ' +
      'of `maritalStatus`; `lost_diacritics` (the name folded, upper case for half) → `normalized`, not a name mismatch; `wrong_birth_date` ' +
      '(day and month swapped, or a day off) → mismatch of `dateOfBirth`; `wrong_id_digit` (one of the last six digits changed, to a number ' +
      'nobody has) and `not_in_registry` (someone new: a well-formed number, name and birth date nobody has together) → `not_found`; ' +
      '`duplicate` (a second copy of a faithful record of the same service, `duplicateOf` its recordId) → `duplicate`. A kind too few ' +
      'citizens can carry is listed in `shortfalls`. Deterministic: the same seed on the same dataset and catalog writes the same records ' +
      'with the same labels. While a generation is pending, another request returns the same job (its `request` says what it generates).',
  })
  @ApiZodBody(generateRecordsSchema, RECORD_EXAMPLES.generateInput)
  @ApiJsonResponse(202, 'The queued job', queuedRecordsJobSchema, RECORD_EXAMPLES.queued)
  @ApiProblems(400, 401, 403, 503)
  async generate(@Body() body: unknown): Promise<QueuedRecordsJob> {
    const input = parseInput(generateRecordsSchema, body);
    await this.generator.serviceCodes(input.serviceCode);
    const job = await this.jobs.enqueueGeneration({ serviceCode: input.serviceCode ?? null, count: input.count, driftRate: input.driftRate, seed: input.seed });
    return { ...job, statusUrl: `/sandbox/portal/records/jobs/${job.jobId}` };
  }

  @Get('jobs/:jobId')
  @ApiOperation({ summary: 'State and progress of a generation of portal records (admin)' })
  @ApiZodParam('jobId', z.string(), RECORD_EXAMPLES.queued.jobId, 'The `jobId` of POST /sandbox/portal/records/generate')
  @ApiJsonResponse(200, 'The job', recordsJobViewSchema, RECORD_EXAMPLES.done)
  @ApiProblems(401, 403, 404, 503)
  job(@Param('jobId') jobId: string): Promise<RecordsJobView> {
    return this.jobs.find(jobId);
  }
}
