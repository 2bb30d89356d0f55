import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminGuard } from '../access/admin.guard.js';
import { ManagerGuard } from '../access/manager.guard.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { csvField } from '../common/csv.js';
import { ValidationFailedError } from '../common/domain-error.js';
import { ApiJsonResponse, ApiProblems, ApiProblemsCarrying, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import {
  agenciesCoverageSchema,
  areasCoverageSchema,
  areasQuerySchema,
  COVERAGE_CSV_COLUMNS,
  csvRowOf,
  periodQuerySchema,
  replayBodySchema,
  replayQueuedSchema,
  SERIES_MEASURES,
  seriesQuerySchema,
  seriesSchema,
  serviceCoverageDetailSchema,
  serviceCoverageSchema,
  servicesCoverageSchema,
  stageBodySchema,
  type AgenciesCoverage,
  type ReplayQueued,
  type AreasCoverage,
  type Series,
  type ServiceCoverage,
  type ServiceCoverageDetail,
  type ServicesCoverage,
} from './coverage.dto.js';
import { COVERAGE_EXAMPLES } from './coverage.examples.js';
import { CoverageJobsProducer } from './coverage-jobs.producer.js';
import { CoverageSeriesService } from './coverage-series.service.js';
import { CoverageService } from './coverage.service.js';
import { RollupService } from './rollup.service.js';

function wantsCsv(request: FastifyRequest): boolean {
  return /\btext\/csv\b/.test(request.headers.accept ?? '');
}

/** A CSV of flat rows: a header line of `columns`, then one line per row. */
function tableCsv<Row>(columns: readonly string[], rows: readonly Row[], valuesOf: (row: Row) => unknown[]): string {
  return [columns.join(','), ...rows.map((row) => valuesOf(row).map(csvField).join(','))].join('\r\n') + '\r\n';
}

const AGENCY_CSV_COLUMNS = ['leadAgency', 'services', 'essentialServices', 'integrated', 'degraded', 'not_integrated', 'no_traffic', 'calls', 'successRate', 'dossiersFiled', 'automationRate', 'backlog', 'serviceCodes'] as const;
const agencyCsv = (coverage: AgenciesCoverage) =>
  tableCsv(AGENCY_CSV_COLUMNS, coverage.agencies, (a) => [
    a.leadAgency, a.services, a.essentialServices, a.byStatus.integrated, a.byStatus.degraded, a.byStatus.not_integrated, a.byStatus.no_traffic,
    a.calls, a.successRate, a.dossiersFiled, a.automationRate, a.backlog, a.serviceCodes,
  ]);
const AREA_CSV_COLUMNS = ['code', 'name', 'provinceCode', 'dossiersFiled', 'decidedAutomatically', 'automationRate', 'backlog'] as const;
const areaCsv = (coverage: AreasCoverage) =>
  tableCsv(AREA_CSV_COLUMNS, coverage.areas, (a) => [a.code, a.name, a.provinceCode, a.dossiersFiled, a.decidedAutomatically, a.automationRate, a.backlog]);

const SERIES_CSV_COLUMNS = ['at', 'value', 'previous'] as const;
const seriesCsv = (series: Series) => tableCsv(SERIES_CSV_COLUMNS, series.points, (point) => [point.at, point.value, point.previous]);

function csvOf(services: readonly ServiceCoverage[]): string {
  return [COVERAGE_CSV_COLUMNS.join(','), ...services.map((service) => csvRowOf(service).map(csvField).join(','))].join('\r\n') + '\r\n';
}

const CSV_ALTERNATIVE = {
  'text/csv': {
    schema: { type: 'string', description: `CSV (RFC 4180) with a header line, one line per service: ${COVERAGE_CSV_COLUMNS.join(', ')}` },
    example: csvOf(COVERAGE_EXAMPLES.services.services),
  },
};

const PERIOD_EXAMPLE = { from: '2026-11-30T21:00:00+07:00', to: '2026-12-01T21:00:00+07:00' };

/** Integration coverage per public service, for managers (MANAGER_API_KEY, read-only) and operators (admin key). */
@ApiTags('coverage')
@ApiBearerAuth()
@Controller('coverage/v1')
export class CoverageController {
  constructor(
    private readonly coverage: CoverageService,
    private readonly series: CoverageSeriesService,
    private readonly jobs: CoverageJobsProducer,
    private readonly rollups: RollupService,
  ) {}

  @Get('services')
  @UseGuards(ManagerGuard)
  @ApiSecurity('basic')
  @ApiOperation({
    summary: 'Coverage of every catalog service: connector, stage, calls, latency, dossiers, sync drift and a computed status',
    description:
      'Over the period [`from`, `to`) (default the last 24 hours), counted in whole UTC hours. Calls and latencies come from the ' +
      'hourly and daily rollups of the call journal and, for the hours not yet rolled up, from the journal itself. `status` is ' +
      'computed from COVERAGE_THRESHOLDS with its reason (README, "Coverage"). With `Accept: text/csv` the same table as CSV. ' +
      'Admin key or MANAGER_API_KEY, as Bearer or as the password of HTTP Basic.',
  })
  @ApiZodQuery(periodQuerySchema, PERIOD_EXAMPLE)
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'Every catalog service, in catalog order', servicesCoverageSchema, COVERAGE_EXAMPLES.services, {
    headers: ['Content-Disposition'],
    alternatives: CSV_ALTERNATIVE,
  })
  @ApiProblems(400, 403)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async services(@Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ServicesCoverage | string> {
    const coverage = await this.coverage.services(parseInput(periodQuerySchema, query, 'query'));
    if (!wantsCsv(request)) return coverage;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="popgate-coverage.csv"');
    return csvOf(coverage.services);
  }

  @Get('services/:code')
  @UseGuards(ManagerGuard)
  @ApiSecurity('basic')
  @ApiOperation({
    summary: 'Coverage of one catalog service: its line of GET /coverage/v1/services and what it reads of its allow-list',
    description:
      '`dataMinimisation`: the allow-list fields no call was returned in the period (candidates to remove from the allow-list), ' +
      'and the fields outside it that calls asked for and were refused (`fields_not_allowed`), from the field rollups and the ' +
      'journal of the hours not rolled up. With `Accept: text/csv` the service\'s line of the table.',
  })
  @ApiZodParam('code', serviceCodeSchema, 'BIRTH-REG', 'A catalog service code (404 `service_not_found` for any other)')
  @ApiZodQuery(periodQuerySchema, PERIOD_EXAMPLE)
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'The service, with its data-minimisation block (JSON only: the CSV is its line of the table)', serviceCoverageDetailSchema, COVERAGE_EXAMPLES.service, {
    headers: ['Content-Disposition'],
    alternatives: { 'text/csv': { schema: CSV_ALTERNATIVE['text/csv'].schema, example: csvOf([COVERAGE_EXAMPLES.service]) } },
  })
  @ApiProblems(400, 403, 404)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async service(@Param('code') code: string, @Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ServiceCoverageDetail | string> {
    const coverage = await this.coverage.service(code, parseInput(periodQuerySchema, query, 'query'));
    if (!wantsCsv(request)) return coverage;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="popgate-coverage-${code}.csv"`);
    return csvOf([coverage]);
  }

  @Put('services/:code/stage')
  @UseGuards(AdminGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the integration stage of a service (`planned`, `testing`, `live`): admin key only' })
  @ApiZodParam('code', serviceCodeSchema, 'BIRTH-REG', 'A catalog service code (404 `service_not_found` for any other)')
  @ApiZodBody(stageBodySchema, { stage: 'live' })
  @ApiJsonResponse(200, 'The service\'s coverage with its new stage (over the last 24 hours)', serviceCoverageDetailSchema, COVERAGE_EXAMPLES.service)
  @ApiProblems(400, 401, 403, 404)
  async setStage(@Param('code') code: string, @Body() body: unknown): Promise<ServiceCoverageDetail> {
    const { stage } = parseInput(stageBodySchema, body);
    await this.coverage.setStage(code, stage);
    return this.coverage.service(code, parseInput(periodQuerySchema, {}, 'query'));
  }

  @Get('timeseries')
  @UseGuards(ManagerGuard)
  @ApiSecurity('basic')
  @ApiOperation({
    summary: 'A measure per hour or day for one service (or all), beside the previous period\'s values (JSON or CSV)',
    description:
      `Measures: ${SERIES_MEASURES.join(', ')}. \`calls\` counts every journaled call; \`simulated_calls\` those that met a ` +
      "fault profile's simulated fault or delay; of the others, `answered_calls` those the registry answered (ok, mismatch, " +
      'not_found) and `failed_calls` those the service side failed (unavailable, timeout, server_error). `success_rate` is ' +
      "answered over answered and failed (a client's own errors and simulated faults count in neither), and the latencies are " +
      'of those calls, from the fixed-bucket histograms of the rollups (README, "Coverage"). `dossiers_filed`, ' +
      '`automation_rate` (decided without review over filed) and `decision_p50_seconds`/`decision_p95_seconds` (filing to ' +
      'decision, of the decided ones) are of the dossiers filed in each bucket, as they stand now. Hours are UTC ' +
      'hours, days Vietnamese days (UTC+7), each point named by its first instant; `from` is rounded down and `to` up to them. ' +
      '`previous` is the value at the same place of the period just before, as long. At most 744 points.',
  })
  @ApiZodQuery(seriesQuerySchema, { service: 'BIRTH-REG', measure: 'p95_latency_ms', interval: 'hour', ...PERIOD_EXAMPLE })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'One point per hour or day', seriesSchema, COVERAGE_EXAMPLES.series, {
    headers: ['Content-Disposition'],
    alternatives: { 'text/csv': { schema: { type: 'string', description: `CSV (RFC 4180): ${SERIES_CSV_COLUMNS.join(', ')}` }, example: seriesCsv(COVERAGE_EXAMPLES.series) } },
  })
  @ApiProblems(400, 403, 404)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async timeseries(@Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Series | string> {
    const series = await this.series.series(parseInput(seriesQuerySchema, query, 'query'));
    if (!wantsCsv(request)) return series;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="popgate-coverage-${series.measure}.csv"`);
    return seriesCsv(series);
  }

  @Get('agencies')
  @UseGuards(ManagerGuard)
  @ApiSecurity('basic')
  @ApiOperation({
    summary: 'Coverage per lead agency: its services by status, calls, success rate, dossiers, automation and backlog',
    description: 'The lines of GET /coverage/v1/services summed per `leadAgency`, over the same period. With `Accept: text/csv` the same table as CSV.',
  })
  @ApiZodQuery(periodQuerySchema, PERIOD_EXAMPLE)
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'One line per lead agency', agenciesCoverageSchema, COVERAGE_EXAMPLES.agencies, {
    headers: ['Content-Disposition'],
    alternatives: { 'text/csv': { schema: { type: 'string', description: `CSV (RFC 4180): ${AGENCY_CSV_COLUMNS.join(', ')}` }, example: agencyCsv(COVERAGE_EXAMPLES.agencies) } },
  })
  @ApiProblems(400, 403)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async agencies(@Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AgenciesCoverage | string> {
    const coverage = await this.coverage.agencies(parseInput(periodQuerySchema, query, 'query'));
    if (!wantsCsv(request)) return coverage;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="popgate-coverage-agencies.csv"');
    return agencyCsv(coverage);
  }

  @Get('areas')
  @UseGuards(ManagerGuard)
  @ApiSecurity('basic')
  @ApiOperation({
    summary: 'Dossiers per province or commune of their applicants: filed, decided automatically, backlog',
    description:
      'Dossiers filed in the period, by the commune code the portal holds for the applicant (the current address\'s, else the ' +
      'permanent one\'s) on the 2025 map, or its province. Those without a known commune are under `code: null`. With ' +
      '`Accept: text/csv` the same table as CSV.',
  })
  @ApiZodQuery(areasQuerySchema, { ...PERIOD_EXAMPLE, level: 'province' })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'One line per area, by code', areasCoverageSchema, COVERAGE_EXAMPLES.areas, {
    headers: ['Content-Disposition'],
    alternatives: { 'text/csv': { schema: { type: 'string', description: `CSV (RFC 4180): ${AREA_CSV_COLUMNS.join(', ')}` }, example: areaCsv(COVERAGE_EXAMPLES.areas) } },
  })
  @ApiProblems(400, 403)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async areas(@Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AreasCoverage | string> {
    const coverage = await this.coverage.areas(parseInput(areasQuerySchema, query, 'query'));
    if (!wantsCsv(request)) return coverage;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="popgate-coverage-areas.csv"');
    return areaCsv(coverage);
  }

  @Post('rollups/replay')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  @ApiOperation({
    summary: 'Roll up a window of the call journal again (admin key): queued on the `coverage` queue',
    description:
      'Each hour of [`from`, `to`) (whole UTC hours, at most 744) is recomputed from the journal in one transaction that ' +
      'replaces its rows and its Vietnamese day\'s: a replay never adds twice. Hours of days the journal no longer holds ' +
      '(past JOURNAL_RETENTION_DAYS) are left as they are, so their rollups are never lost.',
  })
  @ApiZodBody(replayBodySchema, { from: '2026-12-01T00:00:00+07:00', to: '2026-12-01T06:00:00+07:00' })
  @ApiJsonResponse(202, 'The replay is queued', replayQueuedSchema, { jobId: 'replay-1796058000000-1796079600000', from: '2026-11-30T17:00:00.000Z', to: '2026-11-30T23:00:00.000Z', hours: 6 })
  @ApiProblems(400, 401, 403, 503)
  async replay(@Body() body: unknown): Promise<ReplayQueued> {
    const { fromHour, toHour } = parseInput(replayBodySchema, body);
    // Only closed hours: an open hour rolled up now would be read from its partial rollup from then on, its later calls
    // never counted (coverage reads the journal only for the hours not rolled up).
    const closedUntil = this.rollups.lastClosedHour(Date.now()) + 3_600_000;
    if (toHour > closedUntil) {
      throw new ValidationFailedError(`to: must not pass ${new Date(closedUntil).toISOString()}, the end of the last closed hour`, [
        { field: 'to', rule: 'closed_hours_only', message: `must not pass the end of the last closed hour (${new Date(closedUntil).toISOString()}: an hour closes ROLLUP_GRACE_MS after it ends)` },
      ]);
    }
    const { jobId } = await this.jobs.replay(fromHour, toHour);
    return { jobId, from: new Date(fromHour).toISOString(), to: new Date(toHour).toISOString(), hours: (toHour - fromHour) / 3_600_000 };
  }
}
