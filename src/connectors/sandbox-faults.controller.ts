import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AnyKeyGuard, Holder, type KeyHolder } from '../access/admin.guard.js';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiPublic } from '../common/openapi.js';
import { createSessionSchema, FaultScopes, putFaultsSchema } from './fault-scopes.service.js';
import {
  FAULT_KINDS_VIEW,
  faultKindsSchema,
  faultProfileListSchema,
  faultProfileViewSchema,
  SANDBOX_FAULT_EXAMPLES,
  sessionViewSchema,
  toFaultProfileView,
  toSessionView,
  type FaultProfileView,
  type SessionView,
} from './sandbox-faults.dto.js';

const SESSION_HEADER = {
  name: 'X-Sandbox-Session',
  required: false,
  description: 'The session whose profiles these are; required on the shared sandbox developer key, optional on a key of your own',
  example: SANDBOX_FAULT_EXAMPLES.sessionId,
};

/**
 * Simulated faults for a consumer's own calls: its fault profiles (for one service or all, for all of its calls or
 * for one session's) and its sessions. Consumer keys only; the fault kinds are public.
 */
@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxFaultsController {
  constructor(private readonly scopes: FaultScopes) {}

  @Get('fault-kinds')
  @ApiPublic()
  @ApiOperation({
    summary: 'Every simulated fault kind: its parameters and exactly what a client sees (public)',
    description: 'Also latency, the sandbox headers, and what each kind does to the journal and to an in-process caller.',
  })
  @ApiJsonResponse(200, 'The fault kinds', faultKindsSchema, FAULT_KINDS_VIEW)
  faultKinds() {
    return FAULT_KINDS_VIEW;
  }

  @Get('faults')
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiHeader(SESSION_HEADER)
  @ApiOperation({ summary: "The caller's fault profiles (the session's, with X-Sandbox-Session)" })
  @ApiJsonResponse(200, 'The profiles', faultProfileListSchema, { profiles: [SANDBOX_FAULT_EXAMPLES.view] }, { io: 'input' })
  @ApiProblems(400, 401, 403)
  async list(@Holder() holder: KeyHolder, @Headers('x-sandbox-session') session: string | undefined): Promise<{ profiles: FaultProfileView[] }> {
    const owner = await this.scopes.owner(holder, session);
    return { profiles: (await this.scopes.list(owner)).map(toFaultProfileView) };
  }

  @Put('faults')
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiHeader(SESSION_HEADER)
  @ApiOperation({
    summary: 'Set a fault profile on your own calls, for one of your services or all of them',
    description:
      'The profile (GET /sandbox/fault-kinds for the kinds) applies only to calls made with this key, and with ' +
      'X-Sandbox-Session only to the calls that carry the same session: on the shared sandbox developer key a ' +
      'session is required, so that nobody else\'s calls are faulted. The most specific profile wins: the ' +
      'session\'s, then the key\'s; for a service, then for all. Each PUT starts the counters again (failFirst ' +
      'attempts, every nth call, the sequence of draws), so the same seed replays the same run. Applies through ' +
      'this process at once and through the others within 2 s.',
  })
  @ApiZodBody(putFaultsSchema, SANDBOX_FAULT_EXAMPLES.put)
  @ApiJsonResponse(200, 'The profile as stored', faultProfileViewSchema, SANDBOX_FAULT_EXAMPLES.view, { io: 'input' })
  @ApiProblems(400, 401, 403)
  async put(@Holder() holder: KeyHolder, @Headers('x-sandbox-session') session: string | undefined, @Body() body: unknown): Promise<FaultProfileView> {
    const owner = await this.scopes.owner(holder, session);
    return toFaultProfileView(await this.scopes.put(owner, body));
  }

  @Delete('faults')
  @HttpCode(204)
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiHeader(SESSION_HEADER)
  @ApiQuery({ name: 'serviceCode', type: String, required: false, description: 'Remove the profile of this service only; absent: every profile of the key (or of the session)', example: 'SANDBOX-ALL' })
  @ApiOperation({ summary: 'Remove fault profiles of your own calls (idempotent)' })
  @ApiNoContentResponse({ description: 'Removed, or there was none' })
  @ApiProblems(400, 401, 403)
  async remove(@Holder() holder: KeyHolder, @Headers('x-sandbox-session') session: string | undefined, @Query('serviceCode') serviceCode: string | undefined): Promise<void> {
    await this.scopes.remove(await this.scopes.owner(holder, session), serviceCode);
  }

  @Post('sessions')
  @HttpCode(201)
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Start a sandbox session of your consumer',
    description: 'Send its id as X-Sandbox-Session on the calls (and on PUT /sandbox/faults) of one test run: a profile of the session faults those calls only.',
  })
  @ApiZodBody(createSessionSchema, SANDBOX_FAULT_EXAMPLES.sessionInput)
  @ApiJsonResponse(201, 'The session', sessionViewSchema, SANDBOX_FAULT_EXAMPLES.session)
  @ApiProblems(400, 401, 403)
  async createSession(@Holder() holder: KeyHolder, @Body() body: unknown): Promise<SessionView> {
    return toSessionView(await this.scopes.createSession(await this.scopes.consumerOf(holder), body));
  }

  @Delete('sessions/:sessionId')
  @HttpCode(204)
  @UseGuards(AnyKeyGuard)
  @ApiBearerAuth()
  @ApiParam({ name: 'sessionId', example: SANDBOX_FAULT_EXAMPLES.sessionId })
  @ApiOperation({ summary: 'End a session of your consumer, and remove its fault profiles' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiProblems(400, 401, 403, 404)
  async endSession(@Holder() holder: KeyHolder, @Param('sessionId') sessionId: string): Promise<void> {
    await this.scopes.endSession(await this.scopes.consumerOf(holder), sessionId);
  }
}
