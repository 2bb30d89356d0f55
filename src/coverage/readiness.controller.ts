import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ManagerOrAnyKeyGuard, Reader, type ReaderKeyHolder } from '../access/manager.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { MAX_RETRIES, MIN_RETRY_GAP_MS, RETRY_WINDOW_MS } from './readiness-scenarios.js';
import { consumerIdParamSchema, MAX_READINESS_DAYS, READINESS_CSV_COLUMNS, readinessCsv, readinessQuerySchema, readinessReportSchema, type ReadinessReport } from './readiness.dto.js';
import { READINESS_EXAMPLE } from './readiness.examples.js';
import { ReadinessService } from './readiness.service.js';

function wantsCsv(request: FastifyRequest): boolean {
  return /\btext\/csv\b/.test(request.headers.accept ?? '');
}

/** Go-live readiness per developer: which scenarios a consumer's calls met, what it did after each, and a verdict. */
@ApiTags('coverage')
@ApiBearerAuth()
@UseGuards(ManagerOrAnyKeyGuard)
@Controller('coverage/v1/consumers')
export class ReadinessController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get(':consumerId/scenarios')
  @ApiSecurity('basic')
  @ApiOperation({
    summary: "A consumer's go-live readiness: the scenarios its calls met, what it did after each, and a verdict per service",
    description:
      "Reads the consumer's calls in the call journal (`from`-`to`, default the last 7 days, at most " +
      `${MAX_READINESS_DAYS} days; calls up to ${RETRY_WINDOW_MS / 60_000} min after \`to\` are read as what it did after the period's last calls) ` +
      'and judges them per service against the scenario catalogue. A **retry** of a call is a later call of the same request ' +
      `(the same fingerprint or the same X-Request-Id) within ${RETRY_WINDOW_MS / 60_000} min, up to the first that got an answer (a request sent again after an answer is a new one). Checklist items: one per fault kind ` +
      `(a simulated fault, or the same real failure: 503, 429, 500, timeout, reset) - after \`unavailable\`, \`server_error\`, \`reset\`: ` +
      `no retry (gave up), or a first retry at least ${MIN_RETRY_GAP_MS} ms later, at most ${MAX_RETRIES} retries, and a wait never ` +
      'shorter than 0.8 x the wait before it (backoff); after `rate_limited`: the first retry no sooner than the Retry-After given ' +
      '(derived: 503 → 5 s, quota_exhausted → until 00:00 UTC, rate_limited → 1 s); after `timeout`, `malformed`, `slow_body`: gave up, ' +
      `or at most ${MAX_RETRIES} retries, the first at least ${MIN_RETRY_GAP_MS} ms later; \`same_request_id_on_retry\`: the retry of a ` +
      'failed call with the same fingerprint carries its X-Request-Id; `stops_after_permanent_error`: no retry after a 4xx other ' +
      "than 429; `fields_within_allow_list`: no call names a field outside the service's allow-list. An item is `passed` when every " +
      'call that tested it passed, `failed` when one did not (its evidence names the calls, times and gaps), `not_exercised` when no ' +
      'call tested it. Verdict: `not_ready` if an item failed, else `untested` if one was not exercised (or no calls), else `ready`. ' +
      'Persona scenarios (every persona under each of look-up and verify that the connector enables; a look-up only for a persona ' +
      "whose special fields the allow-list holds) are listed as met or not, outside the verdict. The admin key and MANAGER_API_KEY (Bearer, or the " +
      "password of HTTP Basic) read any consumer, a consumer key only its own (403 `not_own_consumer`). `Accept: text/csv`: one line per checklist item and persona scenario.",
  })
  @ApiZodParam('consumerId', consumerIdParamSchema, READINESS_EXAMPLE.consumerId)
  @ApiZodQuery(readinessQuerySchema, { from: '2026-11-24T00:00:00+07:00', to: '2026-12-01T00:00:00+07:00' })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'The readiness of each service of the consumer, with the checklist behind it', readinessReportSchema, READINESS_EXAMPLE, {
    headers: ['Content-Disposition'],
    alternatives: {
      'text/csv': {
        schema: { type: 'string', description: `CSV (RFC 4180) with a header line: ${READINESS_CSV_COLUMNS.join(', ')}; list cells joined with \`;\`` },
        example: readinessCsv(READINESS_EXAMPLE),
      },
    },
  })
  @ApiProblems(400, 401, 403, 404)
  async scenarios(
    @Param('consumerId') consumerId: string,
    @Query() query: unknown,
    @Reader() holder: ReaderKeyHolder,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReadinessReport | string> {
    const period = parseInput(readinessQuerySchema, query, 'query');
    this.readiness.assertMayRead(holder, parseInput(consumerIdParamSchema, consumerId, 'consumerId'));
    const report = await this.readiness.report(consumerId, period);
    if (!wantsCsv(request)) return report;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="popgate-readiness-${report.consumerId}.csv"`);
    return readinessCsv(report);
  }
}
