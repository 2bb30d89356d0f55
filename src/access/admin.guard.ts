import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/domain-error.js';
import { AdminKey } from './admin-key.service.js';
import { bearerKey, hashApiKey } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';

/** Who a key belongs to: the operator, a consumer, or nobody (401 then). */
async function keyHolder(request: FastifyRequest, adminKey: AdminKey, consumers: ConsumerDirectory): Promise<'admin' | 'consumer'> {
  const key = bearerKey(request.headers.authorization);
  if (adminKey.matches(hashApiKey(key))) return 'admin';
  if (await consumers.byKey(key)) return 'consumer';
  throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
}

/**
 * Operators only: the admin key. A valid consumer key gets 403 (it is known, just not allowed), anything else 401.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const holder = await keyHolder(context.switchToHttp().getRequest<FastifyRequest>(), this.adminKey, this.consumers);
    if (holder === 'consumer') throw new ForbiddenError('admin_required', 'This endpoint needs the admin key; a consumer key cannot use it.');
    return true;
  }
}

/** Any valid key, consumer or admin: for sandbox reads such as the personas catalogue. */
@Injectable()
export class AnyKeyGuard implements CanActivate {
  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await keyHolder(context.switchToHttp().getRequest<FastifyRequest>(), this.adminKey, this.consumers);
    return true;
  }
}
