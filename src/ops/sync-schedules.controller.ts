import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../access/admin.guard.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { SYNC_RUN_EXAMPLES } from '../portal/sync-run.examples.js';
import { syncRunViewSchema, type SyncRunView } from '../portal/sync-run.dto.js';
import { SyncRunsService } from '../portal/sync-runs.service.js';
import { SYNC_SCHEDULE_EXAMPLES, syncScheduleInputSchema, syncScheduleListSchema, syncScheduleViewSchema, type SyncScheduleView } from '../portal/sync-schedule.dto.js';
import { SyncSchedules } from '../portal/sync-schedules.service.js';

const serviceParam = () => ApiZodParam('serviceCode', serviceCodeSchema, '1.000894');

/**
 * The services' recurring sync runs (admin key): listed with their next firing, changed, paused and resumed, and
 * triggered at once. A schedule is kept in PostgreSQL and fired by a BullMQ job scheduler on the sync queue.
 */
@ApiTags('ops')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('ops/sync-schedules')
export class SyncSchedulesController {
  constructor(
    private readonly schedules: SyncSchedules,
    private readonly syncRuns: SyncRunsService,
  ) {}

  @Get()
  @ApiOperation({ summary: "Every service's sync schedule, with when it fires next" })
  @ApiJsonResponse(200, 'The schedules', syncScheduleListSchema, { schedules: [SYNC_SCHEDULE_EXAMPLES.view] })
  @ApiProblems(401, 403, 503)
  async list(): Promise<{ schedules: SyncScheduleView[] }> {
    return { schedules: await this.schedules.list() };
  }

  @Put(':serviceCode')
  @ApiOperation({
    summary: "Create or replace a service's sync schedule",
    description: 'A cron `pattern` (in `timeZone`) or `everyMs`; the run is requested as `POST /portal/v1/sync-runs` would. Set here, it stays across starts (config/sync-schedules.json does not override it).',
  })
  @serviceParam()
  @ApiZodBody(syncScheduleInputSchema, SYNC_SCHEDULE_EXAMPLES.input)
  @ApiJsonResponse(200, 'The schedule', syncScheduleViewSchema, SYNC_SCHEDULE_EXAMPLES.view)
  @ApiProblems(400, 401, 403, 404, 503)
  async put(@Param('serviceCode') serviceCode: string, @Body() body: unknown): Promise<SyncScheduleView> {
    return this.schedules.put(parseInput(serviceCodeSchema, serviceCode, 'serviceCode'), parseInput(syncScheduleInputSchema, body));
  }

  @Post(':serviceCode/pause')
  @HttpCode(200)
  @ApiOperation({ summary: "Pause a service's sync schedule (its scheduler is removed until it is resumed)" })
  @serviceParam()
  @ApiJsonResponse(200, 'The paused schedule', syncScheduleViewSchema, { ...SYNC_SCHEDULE_EXAMPLES.view, paused: true, nextRunAt: null })
  @ApiProblems(400, 401, 403, 404, 503)
  async pause(@Param('serviceCode') serviceCode: string): Promise<SyncScheduleView> {
    return this.schedules.setPaused(parseInput(serviceCodeSchema, serviceCode, 'serviceCode'), true);
  }

  @Post(':serviceCode/resume')
  @HttpCode(200)
  @ApiOperation({ summary: "Resume a service's paused sync schedule" })
  @serviceParam()
  @ApiJsonResponse(200, 'The schedule', syncScheduleViewSchema, SYNC_SCHEDULE_EXAMPLES.view)
  @ApiProblems(400, 401, 403, 404, 503)
  async resume(@Param('serviceCode') serviceCode: string): Promise<SyncScheduleView> {
    return this.schedules.setPaused(parseInput(serviceCodeSchema, serviceCode, 'serviceCode'), false);
  }

  @Post(':serviceCode/trigger')
  @HttpCode(202)
  @ApiOperation({ summary: "Request the schedule's run now (while the service has a pending run, that one is answered)" })
  @serviceParam()
  @ApiJsonResponse(202, 'The run', z.object({ runs: z.array(syncRunViewSchema) }), { runs: [SYNC_RUN_EXAMPLES.running] })
  @ApiProblems(400, 401, 403, 404, 503)
  async trigger(@Param('serviceCode') serviceCode: string): Promise<{ runs: SyncRunView[] }> {
    const runId = await this.schedules.trigger(parseInput(serviceCodeSchema, serviceCode, 'serviceCode'));
    return { runs: [await this.syncRuns.get(runId)] };
  }
}
