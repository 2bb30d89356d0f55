import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/domain-error.js';
import { AdminKey } from './admin-key.service.js';
import { bearerKey, hashApiKey } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';

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
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const keyHash = hashApiKey(bearerKey(request.headers.authorization));
    if (this.adminKey.matches(keyHash)) return true;
    if (await this.consumers.byKeyHash(keyHash)) {
      throw new ForbiddenError('admin_required', 'This endpoint needs the admin key; a consumer key cannot use it.');
    }
    throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
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
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const keyHash = hashApiKey(bearerKey(request.headers.authorization));
    if (this.adminKey.matches(keyHash) || (await this.consumers.byKeyHash(keyHash))) return true;
    throw new UnauthorizedError('unknown_credentials', 'The API key is not known, or has been revoked.');
  }
}
