import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Call } from './call.decorator.js';
import type { CallRecord } from '../access/call-record.js';
import { RegistryAccessInterceptor } from './registry-access.interceptor.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiJsonResponse, ApiProblems, ApiZodBody } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { REGISTRY_FIELDS } from '../catalog/registry-fields.js';
import { renderCongdanCollection } from './qcvn109/congdan-xml.js';
import { changesQuerySchema, verifyBatchRequestSchema, verifyRequestSchema, verifyResultSchema, MAX_VERIFY_BATCH } from './registry.dto.js';
import { EXAMPLES } from './registry.examples.js';
import { RegistryService } from './registry.service.js';

/** True when the client prefers the QCVN 109 XML rendering over JSON. */
function wantsXml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\b(application|text)\/xml\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

/**
 * Purpose-bound access: the key, the purpose headers, their documentation and the problems they can cause. Every
 * registry call carries them; see RegistryAccessInterceptor.
 */
function PurposeBound() {
  return applyDecorators(
    UseInterceptors(RegistryAccessInterceptor),
    ApiBearerAuth(),
    ApiHeader({ name: 'X-Service-Code', required: true, description: 'The public service (purpose) of the call; its allow-list bounds the fields', example: 'SANDBOX-ALL' }),
    ApiHeader({ name: 'X-Dossier-Id', required: false, description: 'The portal dossier the call serves (recorded in the audit)', example: 'HN-2026-000123' }),
    ApiHeader({ name: 'X-Officer-Id', required: false, description: "The officer's own ID number (recorded pseudonymised)", example: '001090999917' }),
    ApiProblems(401, 403, 429),
  );
}

/**
 * Real-time queries of the national database stand-in: look-up, verify, households. The bulk changes feed lives on
 * its own path, as Finland's population register separates real-time queries from "changed since" sync.
 */
@ApiTags('registry')
@Controller('registry/v1')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Get('fields')
  @ApiOperation({ summary: 'The fields a look-up can return, with the Vietnamese term and the law item of each' })
  @ApiJsonResponse(200, 'Field catalogue', { type: 'array', items: { type: 'object' } }, EXAMPLES.fields)
  fields() {
    return REGISTRY_FIELDS.map(({ name, vietnamese, lawItem, sensitive, description }) => ({ name, vietnamese, lawItem, sensitive, description }));
  }

  @Get('citizens/:idNumber')
  @Header('X-Popgate-Data', 'synthetic')
  @ApiOperation({
    summary: 'Look up a citizen (khai thác thông tin): only the requested fields',
    description:
      'Returns the fields named in `fields` (comma-separated; see GET /registry/v1/fields). Without `fields`, every ' +
      'non-sensitive field. Send `Accept: application/xml` for a QCVN 109:2017 `CongdanCollection` document.',
  })
  @ApiParam({ name: 'idNumber', description: '12-digit personal ID number', example: EXAMPLES.idNumber })
  @ApiQuery({ name: 'fields', required: false, description: 'Comma-separated field names', example: 'fullName,dateOfBirth,permanentAddress' })
  @ApiProduces('application/json', 'application/xml')
  @ApiJsonResponse(200, 'The requested fields', { type: 'object', additionalProperties: true }, EXAMPLES.lookup)
  @ApiProblems(400, 404)
  @PurposeBound()
  async lookup(
    @Param('idNumber') idNumber: string,
    @Query('fields') fields: string | string[] | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Call() call: CallRecord,
  ) {
    const resolved = this.registry.resolveFields(Array.isArray(fields) ? fields.join(',') : fields, call.admitted);
    if (wantsXml(request)) {
      const record = await this.registry.lookupRecord(idNumber, resolved, call);
      void reply.type('application/xml; charset=utf-8');
      // ChuHo carries the relationship only: the head's number and name are another citizen's data, which the JSON
      // answer does not disclose either (GET /registry/v1/households/{id} does, audited per member).
      return renderCongdanCollection([{ record, fields: resolved, householdHead: null }]);
    }
    return this.registry.lookup(idNumber, resolved, call);
  }

  @Post('citizens/verify')
  @HttpCode(200)
  @Header('X-Popgate-Data', 'synthetic')
  @ApiOperation({
    summary: 'Verify a citizen (xác thực): yes/no per field, not the data',
    description:
      'Decree 70/2024 makes ID number + full name + date of birth the query key. Names match after folding case, ' +
      'spacing, Unicode form and Vietnamese diacritics (`normalized`); dates on records that hold only a year or ' +
      'month-year match as `partial`. An unknown ID answers in the same shape as a mismatch.',
  })
  @ApiZodBody(verifyRequestSchema, EXAMPLES.verifyRequest)
  @ApiJsonResponse(200, 'Verdict and per-field checks', verifyResultSchema, EXAMPLES.verifyResult)
  @ApiProblems(400, 413, 415)
  @PurposeBound()
  verify(@Body() body: unknown, @Call() call: CallRecord) {
    return this.registry.verify(body, call);
  }

  @Post('citizens/verify-batch')
  @HttpCode(200)
  @Header('X-Popgate-Data', 'synthetic')
  @ApiOperation({
    summary: `Verify up to ${MAX_VERIFY_BATCH} citizens in one call`,
    description: 'Results come in the order of the items; an invalid item yields an error entry in its place.',
  })
  @ApiZodBody(verifyBatchRequestSchema, EXAMPLES.verifyBatchRequest)
  @ApiJsonResponse(200, 'One entry per item', { type: 'object', properties: { results: { type: 'array', items: { type: 'object' } } } }, EXAMPLES.verifyBatchResult)
  @ApiProblems(400, 413)
  @PurposeBound()
  async verifyBatch(@Body() body: unknown, @Call() call: CallRecord) {
    return { results: await this.registry.verifyBatch(body, call) };
  }

  @Get('households/:householdId')
  @Header('X-Popgate-Data', 'synthetic')
  @ApiOperation({ summary: 'A household: its head and members with their relationship to the head' })
  @ApiParam({ name: 'householdId', example: EXAMPLES.householdId })
  @ApiJsonResponse(200, 'The household', { type: 'object' }, EXAMPLES.household)
  @ApiProblems(400, 404)
  @PurposeBound()
  household(@Param('householdId') householdId: string, @Call() call: CallRecord) {
    return this.registry.household(householdId, call);
  }

  @Get('changes')
  @Header('X-Popgate-Data', 'synthetic')
  @ApiOperation({
    summary: 'Changes feed: civil-status and residence events since a cursor, in commit order',
    description:
      'Start with `since=0`; store `nextCursor` and pass it as `since` next time. `hasMore` says whether to call ' +
      'again at once. Events are never reordered: a cursor resumes exactly where the last page ended.',
  })
  @ApiQuery({ name: 'since', required: false, example: '0' })
  @ApiQuery({ name: 'limit', required: false, example: 100, description: '1-1000, default 100' })
  @ApiJsonResponse(200, 'A page of events', { type: 'object' }, EXAMPLES.changes)
  @ApiProblems(400)
  @PurposeBound()
  changes(@Query() query: Record<string, unknown>, @Call() call: CallRecord) {
    const { since, limit } = parseInput(changesQuerySchema, query, 'query');
    return this.registry.changes(since, limit, call);
  }
}
