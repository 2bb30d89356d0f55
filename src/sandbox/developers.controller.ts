import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ConsumersService } from '../access/consumers.service.js';
import { DEVELOPER_EXAMPLES, developerInputSchema, developerRegistrationSchema, type DeveloperRegistration } from '../access/developer-registration.dto.js';
import { ApiJsonResponse, ApiProblems, ApiPublic, ApiZodBody } from '../common/openapi.js';

/** A key of one's own: developers register a consumer themselves, so that each has its own journal. No key needed. */
@ApiTags('sandbox')
@Controller('sandbox/developers')
export class DevelopersController {
  constructor(private readonly consumers: ConsumersService) {}

  @Post()
  @ApiPublic()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register a developer (or a team): a state consumer of your own, granted every catalog service, and its API key (shown once)',
    description:
      'Needs no key, like a sign-up. Gives a state consumer granted every service of the catalog (a service added ' +
      'later is granted at once), with the default rate limit and quota, so that your calls, refusals and faults are ' +
      'yours in the journal (`GET /journal/v1/calls` with your key). Names are unique among all consumers, case aside: ' +
      'a taken one gets 409 `consumer_exists`. Each client address may try `SANDBOX_SELF_SERVICE_PER_HOUR` times an ' +
      'hour (default 10), failed attempts included; then 429 `self_service_rate_limited` with `Retry-After`. An ' +
      'operator can switch registration off (`SANDBOX_SELF_SERVICE=false`): 403 `self_service_disabled`. The key is ' +
      'in this answer only; popgate keeps its SHA-256.',
  })
  @ApiZodBody(developerInputSchema, DEVELOPER_EXAMPLES.input)
  @ApiJsonResponse(201, 'Your consumer, its API key and how to call with it', developerRegistrationSchema, DEVELOPER_EXAMPLES.registered)
  @ApiProblems(400, 403, 409, 429)
  register(@Body() body: unknown, @Req() request: FastifyRequest): Promise<DeveloperRegistration> {
    return this.consumers.registerDeveloper(body, request.ip);
  }
}
