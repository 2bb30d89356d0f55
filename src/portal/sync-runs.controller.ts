import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Holder, PortalGuard, type KeyHolder } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import {
  DISCREPANCY_CSV_COLUMNS,
  discrepancyPageSchema,
  discrepancyQuerySchema,
  requestSyncRunSchema,
  syncRunIdParamSchema,
  syncRunListSchema,
  syncRunQuerySchema,
  syncRunViewSchema,
  type DiscrepancyLineView,
  type SyncRunView,
} from './sync-run.dto.js';
import { SYNC_RUN_EXAMPLES } from './sync-run.examples.js';
import { SyncRunsService, type RequestedRuns } from './sync-runs.service.js';
import { csvField } from '../common/csv.js';

async function* csvOf(lines: AsyncIterable<DiscrepancyLineView>): AsyncGenerator<string> {
  yield DISCREPANCY_CSV_COLUMNS.join(',') + '\r\n';
  for await (const line of lines) yield DISCREPANCY_CSV_COLUMNS.map((column) => csvField(line[column])).join(',') + '\r\n';
}

const runParam = () => ApiZodParam('runId', syncRunIdParamSchema, SYNC_RUN_EXAMPLES.running.runId);

/**
 * Reconciliation runs of the portal's records against the registry (portal key or admin key): one run per service at
 * a time, its batches on the sync queue, its report (counts, discrepancies by kind, corrections) read back here.
 */
@ApiTags('portal')
@ApiBearerAuth()
@UseGuards(PortalGuard)
@Controller('portal/v1/sync-runs')
export class SyncRunsController {
  constructor(private readonly syncRuns: SyncRunsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: "Start a sync run of a service's portal records (or of every service's, `all`)",
    description:
      'A service has at most one running and one pending run: a request while both exist answers the pending run ' +
      '(a partial unique index decides between concurrent requests). A new run starts at once when none is running, ' +
      'else when the running one ends. The run and its batches are in PostgreSQL before the answer; its jobs are ' +
      'queued then, or by the reconciler when Redis is back. `verify` reports; `refresh` also writes the ' +
      "registry's values (the registry wins) to the records, with `source` `sync_run` and `confirmed_at`.",
  })
  @ApiZodBody(requestSyncRunSchema, SYNC_RUN_EXAMPLES.input)
  @ApiJsonResponse(202, 'The run of each service asked for (new, or the pending one already there)', z.object({ runs: z.array(syncRunViewSchema) }), { runs: [SYNC_RUN_EXAMPLES.running] })
  @ApiProblems(400, 401, 403, 503)
  async request(@Body() body: unknown, @Holder() holder: KeyHolder): Promise<RequestedRuns> {
    return this.syncRuns.request(parseInput(requestSyncRunSchema, body), holder);
  }

  @Get()
  @ApiOperation({ summary: 'Sync runs, newest first', description: "Filters combine (AND). Pages by `cursor` (the previous page's `nextCursor`)." })
  @ApiZodQuery(syncRunQuerySchema, { serviceCode: '1.000894', state: 'running', limit: 50 })
  @ApiJsonResponse(200, 'A page of runs', syncRunListSchema, { runs: [SYNC_RUN_EXAMPLES.pending, SYNC_RUN_EXAMPLES.running], nextCursor: null })
  @ApiProblems(400, 401, 403, 503)
  async list(@Query() query: unknown): Promise<{ runs: SyncRunView[]; nextCursor: string | null }> {
    return this.syncRuns.list(parseInput(syncRunQuerySchema, query, 'query'));
  }

  @Get(':runId')
  @ApiOperation({
    summary: 'One sync run: state, records scanned and matched, discrepancies by kind, corrections, errors, throughput and ETA',
    description: "The ETA extrapolates the batches' completion rate since the run started. A stopped run says why (`stopReason`); a run waiting on the portal consumer's rate limit or quota says so (`waiting`).",
  })
  @runParam()
  @ApiJsonResponse(200, 'The run', syncRunViewSchema, SYNC_RUN_EXAMPLES.running)
  @ApiProblems(400, 401, 403, 404, 503)
  async get(@Param('runId') runId: string): Promise<SyncRunView> {
    return this.syncRuns.get(parseInput(syncRunIdParamSchema, runId, 'runId'));
  }

  @Get(':runId/discrepancies')
  @ApiOperation({
    summary: "A run's discrepancies, one line per record and kind, in record order",
    description:
      'Filtered by `kind`; pages of `limit` records by `cursor` (the previous page\'s `nextCursor`). With `Accept: text/csv` ' +
      'the answer is a CSV of every matching discrepancy (all pages, streamed); objects (addresses) are JSON in their field.',
  })
  @runParam()
  @ApiZodQuery(discrepancyQuerySchema, { kind: 'permanent_address', limit: 100 })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'A page of discrepancies', discrepancyPageSchema, { discrepancies: [SYNC_RUN_EXAMPLES.discrepancy], nextCursor: null }, {
    headers: ['Content-Disposition'],
    alternatives: {
      'text/csv': {
        schema: { type: 'string', description: `CSV (RFC 4180) with a header line: ${DISCREPANCY_CSV_COLUMNS.join(', ')}` },
        example: `${DISCREPANCY_CSV_COLUMNS.join(',')}\r\n${DISCREPANCY_CSV_COLUMNS.map((column) => csvField(SYNC_RUN_EXAMPLES.discrepancy[column])).join(',')}\r\n`,
      },
    },
  })
  @ApiProblems(400, 401, 403, 404, 410, 503)
  async discrepancies(@Param('runId') runId: string, @Query() query: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const id = parseInput(syncRunIdParamSchema, runId, 'runId');
    const parsed = parseInput(discrepancyQuerySchema, query, 'query');
    if (/\btext\/csv\b/.test(request.headers.accept ?? '')) {
      await this.syncRuns.withResults(id);
      void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="sync-run-${id}-discrepancies.csv"`);
      return Readable.from(csvOf(this.syncRuns.allDiscrepancies(id, parsed.kind ?? null)));
    }
    return this.syncRuns.discrepancies(id, parsed);
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending or running sync run', description: 'Its batches not done yet are not run; what the done ones committed stays. A finished run is 409 `sync_run_finished`.' })
  @runParam()
  @ApiJsonResponse(200, 'The cancelled run', syncRunViewSchema, SYNC_RUN_EXAMPLES.cancelled)
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async cancel(@Param('runId') runId: string): Promise<SyncRunView> {
    return this.syncRuns.cancel(parseInput(syncRunIdParamSchema, runId, 'runId'));
  }
}
