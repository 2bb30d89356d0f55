import { Body, Controller, Get, HttpCode, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminGuard } from '../access/admin.guard.js';
import { ManagerGuard } from '../access/manager.guard.js';
import { serviceCodeSchema } from '../catalog/service-catalog.service.js';
import { csvField } from '../common/csv.js';
import { ApiJsonResponse, ApiProblems, ApiProblemsCarrying, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import {
  COVERAGE_CSV_COLUMNS,
  csvRowOf,
  periodQuerySchema,
  serviceCoverageSchema,
  servicesCoverageSchema,
  stageBodySchema,
  type ServiceCoverage,
  type ServicesCoverage,
} from './coverage.dto.js';
import { COVERAGE_EXAMPLES } from './coverage.examples.js';
import { CoverageService } from './coverage.service.js';

function wantsCsv(request: FastifyRequest): boolean {
  return /\btext\/csv\b/.test(request.headers.accept ?? '');
}

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
  constructor(private readonly coverage: CoverageService) {}

  @Get('services')
  @UseGuards(ManagerGuard)
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
  @ApiOperation({ summary: 'Coverage of one catalog service (the same line as in GET /coverage/v1/services)' })
  @ApiZodParam('code', serviceCodeSchema, 'BIRTH-REG', 'A catalog service code (404 `service_not_found` for any other)')
  @ApiZodQuery(periodQuerySchema, PERIOD_EXAMPLE)
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'The service', serviceCoverageSchema, COVERAGE_EXAMPLES.service, {
    headers: ['Content-Disposition'],
    alternatives: { 'text/csv': { schema: CSV_ALTERNATIVE['text/csv'].schema, example: csvOf([COVERAGE_EXAMPLES.service]) } },
  })
  @ApiProblems(400, 403, 404)
  @ApiProblemsCarrying(['WWW-Authenticate'], 401)
  async service(@Param('code') code: string, @Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ServiceCoverage | string> {
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
  @ApiJsonResponse(200, 'The service\'s coverage with its new stage (over the last 24 hours)', serviceCoverageSchema, COVERAGE_EXAMPLES.service)
  @ApiProblems(400, 401, 403, 404)
  async setStage(@Param('code') code: string, @Body() body: unknown): Promise<ServiceCoverage> {
    const { stage } = parseInput(stageBodySchema, body);
    await this.coverage.setStage(code, stage);
    return this.coverage.service(code, parseInput(periodQuerySchema, {}, 'query'));
  }
}
