import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AnyKeyGuard, Holder, type KeyHolder } from '../access/admin.guard.js';
import { NotFoundError } from '../common/domain-error.js';
import { ApiJsonResponse, ApiProblems, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { encodeCursor, JOURNAL_CSV_COLUMNS, journalCallSchema, journalPageSchema, journalQuerySchema, type JournalCallView, type JournalQuery } from './journal.dto.js';
import { JournalRepository } from './journal.repository.js';
import { csvField } from '../common/csv.js';

const EXAMPLE_CALL: JournalCallView = {
  callId: '01938a1e-7c2a-7d4e-9b1f-3c5e8a0f2d41',
  receivedAt: '2026-12-01T02:15:04.118Z',
  requestId: 'portal-7f3a-0001',
  transport: 'http',
  consumerId: '6b1e2f9a-1d4c-4f0e-8a7b-2c9d3e4f5a6b',
  serviceCode: 'SANDBOX-ALL',
  operation: 'lookup',
  dossierId: 'HN-2026-000123',
  jobId: null,
  attempt: null,
  outcome: 'ok',
  httpStatus: 200,
  problemCode: null,
  faultKind: null,
  latencyMs: 3.412,
  fieldsRequested: ['fullName', 'dateOfBirth'],
  fieldsReturned: ['fullName', 'dateOfBirth'],
  batch: null,
  personaKey: 'same-name-dob-a',
  fingerprint: '5c0d4f6e8a2b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d',
  retryAfterSeconds: null,
};

/** Rows per read while a CSV export streams: bounded memory whatever the export's size. */
const CSV_PAGE = 1_000;

function wantsCsv(request: FastifyRequest): boolean {
  return /\btext\/csv\b/.test(request.headers.accept ?? '');
}

function csvLine(call: JournalCallView): string {
  return JOURNAL_CSV_COLUMNS.map((column) => csvField(call[column])).join(',') + '\r\n';
}

/**
 * The call journal: every registry call, over HTTP or in-process, with its outcome, status, fault and latency, and
 * no personal data. A consumer key sees its own consumer's calls only (another's call is not found, not forbidden);
 * the admin key sees all.
 */
@ApiTags('journal')
@ApiBearerAuth()
@UseGuards(AnyKeyGuard)
@Controller('journal/v1')
export class JournalController {
  constructor(private readonly journal: JournalRepository) {}

  @Get('calls')
  @ApiOperation({
    summary: 'Search the call journal, newest first',
    description:
      'Filters combine (AND). Pages by `cursor` (the previous page\'s `nextCursor`), at most `limit` calls (1-200, default ' +
      '50). With `Accept: text/csv` the answer is a CSV of every matching call (all pages, streamed) unless `limit` ' +
      'is given; its columns are the JSON fields, arrays joined with `;`. A consumer key sees only its own calls.',
  })
  @ApiZodQuery(journalQuerySchema, { serviceCode: 'SANDBOX-ALL', outcome: 'refused', from: '2026-12-01T00:00:00+07:00', limit: 50 })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonResponse(200, 'A page of calls, newest first', journalPageSchema, { calls: [EXAMPLE_CALL], nextCursor: null }, {
    headers: ['Content-Disposition'],
    alternatives: {
      'text/csv': {
        schema: { type: 'string', description: `CSV (RFC 4180) with a header line: ${JOURNAL_CSV_COLUMNS.join(', ')}` },
        example: `${JOURNAL_CSV_COLUMNS.join(',')}\r\n${JOURNAL_CSV_COLUMNS.map((column) => csvField(EXAMPLE_CALL[column])).join(',')}\r\n`,
      },
    },
  })
  @ApiProblems(400, 401)
  async calls(@Query() query: Record<string, unknown>, @Holder() holder: KeyHolder, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { cursor, limit, ...filter } = parseInput(journalQuerySchema, query, 'query');
    const scoped = this.scoped(filter, holder);
    if (wantsCsv(request)) {
      void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="popgate-calls.csv"');
      return Readable.from(this.csv(scoped, cursor, query.limit === undefined || query.limit === '' ? undefined : limit));
    }
    if (!scoped) return { calls: [], nextCursor: null };
    const rows = await this.journal.callsMatching(scoped, { cursor, limit });
    const calls = rows.slice(0, limit);
    const last = calls[calls.length - 1];
    return { calls, nextCursor: rows.length > limit ? encodeCursor({ receivedAt: last.receivedAt, callId: last.callId }) : null };
  }

  @Get('calls/:callId')
  @ApiOperation({ summary: 'One call of the journal (its id is the `X-Call-Id` header of the answer)' })
  @ApiParam({ name: 'callId', example: EXAMPLE_CALL.callId })
  @ApiJsonResponse(200, 'The call', journalCallSchema, EXAMPLE_CALL)
  @ApiProblems(401, 404)
  async call(@Param('callId') callId: string, @Holder() holder: KeyHolder): Promise<JournalCallView> {
    const call = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(callId) ? await this.journal.callById(callId.toLowerCase()) : undefined;
    // Another consumer's call is not found: a consumer key cannot tell whether it exists.
    if (!call || (holder.kind === 'consumer' && call.consumerId !== holder.consumerId)) {
      throw new NotFoundError('call_not_found', 'No call with this id is in the journal for this key (calls are kept JOURNAL_RETENTION_DAYS days).');
    }
    return call;
  }

  /** The filter as this key may see it: a consumer's own calls; null when it asks for another consumer's. */
  private scoped(filter: Omit<JournalQuery, 'cursor' | 'limit'>, holder: KeyHolder): Omit<JournalQuery, 'cursor' | 'limit'> | null {
    if (holder.kind === 'admin') return filter;
    if (filter.consumerId && filter.consumerId !== holder.consumerId) return null;
    return { ...filter, consumerId: holder.consumerId };
  }

  private async *csv(filter: Omit<JournalQuery, 'cursor' | 'limit'> | null, cursor: JournalQuery['cursor'], limit: number | undefined): AsyncGenerator<string> {
    yield JOURNAL_CSV_COLUMNS.join(',') + '\r\n';
    if (!filter) return;
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    let position = cursor;
    while (remaining > 0) {
      const size = Math.min(CSV_PAGE, remaining);
      const rows = await this.journal.callsMatching(filter, { cursor: position, limit: size });
      const page = rows.slice(0, size);
      if (page.length > 0) yield page.map(csvLine).join('');
      if (rows.length <= size) return;
      remaining -= page.length;
      const last = page[page.length - 1];
      position = { receivedAt: last.receivedAt, callId: last.callId };
    }
  }
}
