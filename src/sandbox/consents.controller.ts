import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam, ApiZodQuery } from '../common/openapi.js';
import { AdminGuard } from '../access/admin.guard.js';
import { CONSENT_EXAMPLES, consentIdSchema, consentInputSchema, consentListQuerySchema, consentListSchema, consentViewSchema, type ConsentView } from '../access/consent.dto.js';
import { ConsentsService } from '../access/consents.service.js';
import { RegistryRepository } from '../registry/registry.repository.js';

/**
 * The sandbox's stand-in for citizens' consent records (the real flow runs through the citizen's VNeID app): operators
 * record and revoke them. Every endpoint needs the admin key.
 */
@ApiTags('sandbox')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('sandbox/consents')
export class ConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly registry: RegistryRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a citizen\'s consent to a non-state consumer, for one service and a set of fields',
    description:
      'The registry serves a non-state consumer only fields covered by a live consent (not revoked, not expired) for ' +
      'the call\'s service. `serviceCode` must be in the catalog (400 `unknown_service`) and granted to the consumer ' +
      '(403 `service_not_granted`); each field must be in the service\'s allow-list (400 `not_in_allow_list` on ' +
      '`fields.N`). A state consumer needs no consent (409 `consumer_is_state`). One live consent per citizen, consumer ' +
      'and service: another gets 409 `consent_exists` with the live one\'s `consentId` (revoke it to record a new one). ' +
      'The citizen is stored as an HMAC and a mask, never in clear.',
  })
  @ApiZodBody(consentInputSchema(() => undefined), CONSENT_EXAMPLES.input)
  @ApiJsonResponse(201, 'The consent', consentViewSchema, CONSENT_EXAMPLES.created)
  @ApiProblems(400, 401, 403, 404, 409, 503)
  create(@Body() body: unknown): Promise<ConsentView> {
    return this.consents.create(body, (idNumber) => this.registry.citizenExists(idNumber));
  }

  @Get()
  @ApiOperation({ summary: 'A citizen\'s consents, newest first (revoked and expired ones included)' })
  @ApiZodQuery(consentListQuerySchema, { idNumber: CONSENT_EXAMPLES.idNumber })
  @ApiJsonResponse(200, 'The consents', consentListSchema, CONSENT_EXAMPLES.list)
  @ApiProblems(400, 401, 403, 503)
  async list(@Query() query: Record<string, unknown>): Promise<{ consents: ConsentView[] }> {
    return { consents: await this.consents.listForCitizen(query) };
  }

  @Delete(':consentId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a consent',
    description:
      'The registry checks consents on every call, so the next call that relied on this consent is refused (403 ' +
      '`consent_required`). Idempotent: revoking a revoked consent answers 204 again and keeps the first revocation time.',
  })
  @ApiZodParam('consentId', consentIdSchema, CONSENT_EXAMPLES.consentId, 'The consent\'s id (UUID)')
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiProblems(400, 401, 403, 404, 503)
  async revoke(@Param('consentId') consentId: string): Promise<void> {
    await this.consents.revoke(consentId);
  }
}
