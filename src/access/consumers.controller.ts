import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiJsonResponse, ApiProblems, ApiZodBody, ApiZodParam } from '../common/openapi.js';
import { AdminGuard } from './admin.guard.js';
import { CONSUMER_EXAMPLES, consumerIdSchema, consumerInputSchema, consumerListSchema, consumerViewSchema, consumerWithKeySchema, type ConsumerView, type ConsumerWithKey } from './consumer.dto.js';
import { ConsumersService } from './consumers.service.js';

const IdParam = () => ApiZodParam('consumerId', consumerIdSchema, CONSUMER_EXAMPLES.consumerId, 'The consumer\'s id (UUID)');

/**
 * Operators' API for consumers (client systems) and their keys. Every endpoint needs the admin key; a consumer key
 * gets 403 `admin_required`.
 */
@ApiTags('access')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('access/v1/consumers')
export class ConsumersController {
  constructor(private readonly consumers: ConsumersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register a consumer and issue its API key (shown once)',
    description:
      'Every code of `serviceCodes` must be in the catalog (GET /portal/v1/services), else 400 with rule ' +
      '`unknown_service`. Names are unique, case aside: a second consumer of the same name (a retried POST, say) gets ' +
      '409 `consumer_exists` with the existing one\'s `consumerId`. popgate stores only the key\'s SHA-256 and its ' +
      'first characters: keep the key from this answer, or rotate it to get a new one.',
  })
  @ApiZodBody(consumerInputSchema(() => true), CONSUMER_EXAMPLES.input)
  @ApiJsonResponse(201, 'The consumer and its API key', consumerWithKeySchema, CONSUMER_EXAMPLES.created)
  @ApiProblems(400, 401, 403, 409, 503)
  create(@Body() body: unknown): Promise<ConsumerWithKey> {
    return this.consumers.create(body);
  }

  @Get()
  @ApiOperation({
    summary: 'Every consumer, with its key state and today\'s usage',
    description:
      '`usageToday` counts the audited registry calls since 00:00 UTC (one per item of a verify batch). Many ' +
      '`notFound` calls from one consumer are the mark of an enumeration sweep.',
  })
  @ApiJsonResponse(200, 'The consumers, oldest first', consumerListSchema, CONSUMER_EXAMPLES.list)
  @ApiProblems(401, 403, 503)
  async list(): Promise<{ consumers: ConsumerView[] }> {
    return { consumers: await this.consumers.list() };
  }

  @Get(':consumerId')
  @ApiOperation({ summary: 'One consumer, with its key state and today\'s usage' })
  @IdParam()
  @ApiJsonResponse(200, 'The consumer', consumerViewSchema, CONSUMER_EXAMPLES.view)
  @ApiProblems(400, 401, 403, 404, 503)
  get(@Param('consumerId') consumerId: string): Promise<ConsumerView> {
    return this.consumers.get(consumerId);
  }

  @Post(':consumerId/rotate-key')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a new API key (shown once); the old one stops working at once',
    description: 'Also gives a consumer whose key was revoked a working key again.',
  })
  @IdParam()
  @ApiJsonResponse(200, 'The consumer and its new API key', consumerWithKeySchema, { ...CONSUMER_EXAMPLES.created, consumer: CONSUMER_EXAMPLES.view })
  @ApiProblems(400, 401, 403, 404, 503)
  rotateKey(@Param('consumerId') consumerId: string): Promise<ConsumerWithKey> {
    return this.consumers.rotateKey(consumerId);
  }

  @Delete(':consumerId/key')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke the consumer\'s API key',
    description:
      'The key stops working at once; the consumer and its audit stay. Idempotent: revoking a revoked key answers ' +
      '204 again and keeps the first revocation time. POST …/rotate-key issues a new key.',
  })
  @IdParam()
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiProblems(400, 401, 403, 404, 503)
  async revokeKey(@Param('consumerId') consumerId: string): Promise<void> {
    await this.consumers.revokeKey(consumerId);
  }
}
