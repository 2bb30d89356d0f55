import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RegistryHttpCalls } from './registry-http-calls.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiJsonResponse, ApiProblemsCarrying, ApiPublic, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { REGISTRY_FIELDS } from '../catalog/registry-fields.js';
import { idNumberSchema } from '../identity/identity-schemas.js';
import { DOSSIER_ID_PATTERN } from '../access/call-purpose.js';
import { lookupAnswerSchema } from './citizen-fields.js';
import { renderCongdanCollection } from './qcvn109/congdan-xml.js';
import {
  changesPageSchema,
  changesQuerySchema,
  householdIdSchema,
  householdSchema,
  registryFieldViewSchema,
  verifyBatchRequestSchema,
  verifyBatchResultSchema,
  verifyRequestSchema,
  verifyResultSchema,
  MAX_VERIFY_BATCH,
} from './registry.dto.js';
import { EXAMPLES } from './registry.examples.js';
import { RegistryService } from './registry.service.js';

/** True when the client prefers the QCVN 109 XML rendering over JSON. */
function wantsXml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\b(application|text)\/xml\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

/**
 * Purpose-bound access: the key, the purpose headers, their documentation and the problems they can cause. Every
 * registry call carries them; each such handler runs its work through RegistryHttpCalls.
 */
function PurposeBound() {
  return applyDecorators(
    ApiBearerAuth(),
    ApiHeader({ name: 'X-Service-Code', required: true, description: 'The public service (purpose) of the call; its allow-list bounds the fields', schema: { type: 'string' }, example: 'SANDBOX-ALL' }),
    ApiHeader({
      name: 'X-Dossier-Id',
      required: false,
      description: 'The portal dossier the call serves (recorded in the audit); must not hold a 12-digit personal ID number',
      schema: { type: 'string', pattern: DOSSIER_ID_PATTERN.source },
      example: 'HN-2026-000123',
    }),
    ApiHeader({ name: 'X-Officer-Id', required: false, description: "The officer's own ID number (recorded pseudonymised)", schema: { type: 'string' }, example: '001090999917' }),
    RegistryProblems(401, 403, 429, 503),
  );
}

/**
 * Registry answers are about synthetic citizens, and say so in a header (see the README). Nest sets it before the
 * guards and interceptors run, so the problems of the call carry it too; those of Fastify's body parser (413, 415)
 * and router (414) come before, and do not.
 */
function SyntheticData() {
  return Header('X-Popgate-Data', 'synthetic');
}
const SYNTHETIC = { headers: ['X-Popgate-Data'] } as const;
const RegistryProblems = (...statuses: number[]) => ApiProblemsCarrying(SYNTHETIC.headers, ...statuses);

/**
 * Real-time queries of the national database stand-in: look-up, verify, households. The bulk changes feed lives on
 * its own path, as Finland's population register separates real-time queries from "changed since" sync.
 */
@ApiTags('registry')
@Controller('registry/v1')
export class RegistryController {
  constructor(
    private readonly registry: RegistryService,
    private readonly calls: RegistryHttpCalls,
  ) {}

  @Get('fields')
  @ApiPublic()
  @ApiOperation({ summary: 'The fields a look-up can return, with the Vietnamese term and the law item of each' })
  @ApiJsonResponse(200, 'Field catalogue', z.array(registryFieldViewSchema), EXAMPLES.fields)
  fields(): z.infer<typeof registryFieldViewSchema>[] {
    return REGISTRY_FIELDS.map(({ name, vietnamese, lawItem, sensitive, description }) => ({ name, vietnamese, lawItem, sensitive, description }));
  }

  @Get('citizens/:idNumber')
  @SyntheticData()
  @ApiOperation({
    summary: 'Look up a citizen (khai thác thông tin): only the requested fields',
    description:
      'Returns the fields named in `fields` (comma-separated; see GET /registry/v1/fields). Without `fields`, every ' +
      'non-sensitive field the service allows. Send `Accept: application/xml` for a QCVN 109:2017 `CongdanCollection` document.',
  })
  @ApiZodParam('idNumber', idNumberSchema, EXAMPLES.idNumber, '12-digit personal ID number')
  @ApiQuery({
    name: 'fields',
    required: false,
    description: 'The fields to return, comma-separated (repeating the parameter works too)',
    schema: { type: 'array', items: { type: 'string', enum: REGISTRY_FIELDS.map((field) => field.name) }, example: ['fullName', 'dateOfBirth', 'permanentAddress'] },
    style: 'form',
    explode: false,
  })
  @ApiJsonResponse(200, 'The requested fields', lookupAnswerSchema, EXAMPLES.lookup, {
    ...SYNTHETIC,
    alternatives: { 'application/xml': { schema: { type: 'string', description: 'QCVN 109:2017 CongdanCollection (only the granted fields)' }, example: EXAMPLES.lookupXml } },
  })
  @RegistryProblems(400, 404)
  @PurposeBound()
  async lookup(
    @Param('idNumber') idNumber: string,
    @Query('fields') fields: string | string[] | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.calls.run(request, reply, async (call) => {
      const resolved = this.registry.resolveFields(Array.isArray(fields) ? fields.join(',') : fields, call);
      if (wantsXml(request)) {
        const record = await this.registry.lookupRecord(idNumber, resolved, call);
        void reply.type('application/xml; charset=utf-8');
        // ChuHo carries the relationship only: the head's number and name are another citizen's data, which the JSON
        // answer does not disclose either (GET /registry/v1/households/{id} does, audited per member).
        return renderCongdanCollection([{ record, fields: resolved, householdHead: null }]);
      }
      return this.registry.lookup(idNumber, resolved, call);
    });
  }

  @Post('citizens/verify')
  @HttpCode(200)
  @SyntheticData()
  @ApiOperation({
    summary: 'Verify a citizen (xác thực): yes/no per field, not the data',
    description:
      'Decree 70/2024 makes ID number + full name + date of birth the query key. Names match after folding case, ' +
      'spacing, Unicode form and Vietnamese diacritics (`normalized`); dates on records that hold only a year or ' +
      'month-year match as `partial`. An unknown ID answers in the same shape as a mismatch.',
  })
  @ApiZodBody(verifyRequestSchema, EXAMPLES.verifyRequest)
  @ApiJsonResponse(200, 'Verdict and per-field checks', verifyResultSchema, EXAMPLES.verifyResult, SYNTHETIC)
  @RegistryProblems(400)
  @PurposeBound()
  verify(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.calls.run(request, reply, (call) => this.registry.verify(body, call));
  }

  @Post('citizens/verify-batch')
  @HttpCode(200)
  @SyntheticData()
  @ApiOperation({
    summary: `Verify up to ${MAX_VERIFY_BATCH} citizens in one call`,
    description: 'Results come in the order of the items; an invalid item yields an error entry in its place.',
  })
  @ApiZodBody(verifyBatchRequestSchema, EXAMPLES.verifyBatchRequest)
  @ApiJsonResponse(200, 'One entry per item', verifyBatchResultSchema, EXAMPLES.verifyBatchResult, SYNTHETIC)
  @RegistryProblems(400, 413)
  @PurposeBound()
  verifyBatch(@Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.calls.run(request, reply, async (call) => ({ results: await this.registry.verifyBatch(body, call) }));
  }

  @Get('households/:householdId')
  @SyntheticData()
  @ApiOperation({ summary: 'A household: its head and members with their relationship to the head (state consumers only)' })
  @ApiZodParam('householdId', householdIdSchema, EXAMPLES.householdId)
  @ApiJsonResponse(200, 'The household', householdSchema, EXAMPLES.household, SYNTHETIC)
  @RegistryProblems(400, 404)
  @PurposeBound()
  household(@Param('householdId') householdId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.calls.run(request, reply, (call) => this.registry.household(householdId, call));
  }

  @Get('changes')
  @SyntheticData()
  @ApiOperation({
    summary: 'Changes feed: civil-status and residence events since a cursor, in commit order',
    description:
      'Start with `since=0`; store `nextCursor` and pass it as `since` next time. `hasMore` says whether to call ' +
      'again at once. Events are never reordered: a cursor resumes exactly where the last page ended.',
  })
  @ApiZodQuery(changesQuerySchema, { since: '0', limit: 100 })
  @ApiJsonResponse(200, 'A page of events', changesPageSchema, EXAMPLES.changes, SYNTHETIC)
  @RegistryProblems(400)
  @PurposeBound()
  changes(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.calls.run(request, reply, async (call) => {
      const { since, limit } = parseInput(changesQuerySchema, query, 'query');
      return this.registry.changes(since, limit, call);
    });
  }
}
