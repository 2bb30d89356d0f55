import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Holder, PortalGuard, type KeyHolder } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { parseInput } from '../common/validation.js';
import { DOSSIER_EXAMPLES } from './dossier.examples.js';
import {
  dossierDetailSchema,
  dossierIdParamSchema,
  dossierPageSchema,
  dossierQuerySchema,
  dossierViewSchema,
  fileDossierSchema,
  idempotencyKeySchema,
  type DossierDetail,
  type DossierView,
} from './dossier.dto.js';
import { DossiersService } from './dossiers.service.js';

/**
 * The portal's dossiers (hồ sơ): filed with the portal's key (or the admin key), verified against the registry by
 * the verification queue, read back with their per-field result, history and attempts.
 */
@ApiTags('portal')
@ApiBearerAuth()
@UseGuards(PortalGuard)
@Controller('portal/v1/dossiers')
export class DossiersController {
  constructor(private readonly dossiers: DossiersService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: "File a dossier (portal key or admin key); it is verified against the registry by the verification queue",
    description:
      'The dossier and its outbox row are committed before the answer, then its verification job is queued: the answer is ' +
      '202 even while Redis is down (the job is queued when Redis is back). Follow `Location` for the decision. With an ' +
      '`Idempotency-Key`, a repeat of the same request answers the first dossier (`Idempotent-Replayed: true`); the same ' +
      'key with another body is 422 `idempotency_key_reused`. A key is remembered for as long as its dossier exists.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A token of the client (1-255 visible ASCII characters) that makes a retried filing safe', schema: { type: 'string', example: 'portal-form-7f3a9c' } })
  @ApiZodBody(fileDossierSchema, DOSSIER_EXAMPLES.input)
  @ApiJsonResponse(202, 'Filed (or, with a repeated Idempotency-Key, the dossier filed first)', dossierViewSchema, DOSSIER_EXAMPLES.received, {
    headers: ['Location', 'Idempotent-Replayed'],
  })
  @ApiProblems(400, 401, 403, 422, 503)
  async file(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Holder() holder: KeyHolder,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DossierView> {
    const key = idempotencyKey === undefined ? null : parseInput(idempotencyKeySchema, idempotencyKey, 'header.Idempotency-Key');
    const input = parseInput(fileDossierSchema, body);
    const { dossier, replayed } = await this.dossiers.file(input, holder, key);
    void reply.header('location', `/portal/v1/dossiers/${dossier.dossierId}`).header('idempotent-replayed', String(replayed));
    return dossier;
  }

  @Get()
  @ApiOperation({
    summary: 'Search dossiers, newest first',
    description: 'Filters combine (AND). Pages by `cursor` (the previous page\'s `nextCursor`), at most `limit` dossiers (1-200, default 50).',
  })
  @ApiZodQuery(dossierQuerySchema, { serviceCode: '1.004222', status: 'needs_review', reason: 'field_mismatch', limit: 50 })
  @ApiJsonResponse(200, 'A page of dossiers', dossierPageSchema, { dossiers: [DOSSIER_EXAMPLES.needsReview], nextCursor: null })
  @ApiProblems(400, 401, 403, 503)
  async list(@Query() query: unknown): Promise<{ dossiers: DossierView[]; nextCursor: string | null }> {
    return this.dossiers.list(parseInput(dossierQuerySchema, query, 'query'));
  }

  @Get(':dossierId')
  @ApiOperation({ summary: 'One dossier: its decision, per-field verification, status history and every verification attempt with its journal call ids' })
  @ApiZodParam('dossierId', dossierIdParamSchema, DOSSIER_EXAMPLES.needsReview.dossierId)
  @ApiJsonResponse(200, 'The dossier', dossierDetailSchema, DOSSIER_EXAMPLES.detail)
  @ApiProblems(400, 401, 403, 404, 503)
  async get(@Param('dossierId') dossierId: string): Promise<DossierDetail> {
    return this.dossiers.detail(parseInput(dossierIdParamSchema, dossierId, 'dossierId'));
  }
}
