import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/domain-error.js';
import { AdminKey } from './admin-key.service.js';
import { bearerKey, hashApiKey } from './api-key.js';
import { ConsumerDirectory } from './consumer-directory.service.js';
import { SystemConsumers } from './system-consumers.service.js';

/** Who a key belongs to: the operator, a consumer, or nobody (401 then). */
async function keyHolder(request: FastifyRequest, adminKey: AdminKey, consumers: ConsumerDirectory): Promise<KeyHolder> {
  const key = bearerKey(request.headers.authorization);
  if (adminKey.matches(hashApiKey(key))) return { kind: 'admin' };
  const consumer = await consumers.byKey(key);
  if (consumer) return { kind: 'consumer', consumerId: consumer.consumerId };
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
    if (holder.kind === 'consumer') throw new ForbiddenError('admin_required', 'This endpoint needs the admin key; a consumer key cannot use it.');
    return true;
  }
}

/** Who holds the key of a request that AnyKeyGuard let through: the operator, or one consumer. */
export type KeyHolder = { kind: 'admin' } | { kind: 'consumer'; consumerId: string };

/** Where AnyKeyGuard leaves the key holder on the request. */
export const KEY_HOLDER = Symbol('popgate.keyHolder');

/** The KeyHolder that AnyKeyGuard established for this request. */
export const Holder = createParamDecorator((_: unknown, context: ExecutionContext): KeyHolder => {
  const holder = context.switchToHttp().getRequest<{ [KEY_HOLDER]?: KeyHolder }>()[KEY_HOLDER];
  if (!holder) throw new Error('@Holder() used on a route without AnyKeyGuard');
  return holder;
});

/** Any valid key, consumer or admin: for sandbox reads such as the personas catalogue, and the call journal. */
@Injectable()
export class AnyKeyGuard implements CanActivate {
  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { [KEY_HOLDER]?: KeyHolder }>();
    request[KEY_HOLDER] = await keyHolder(request, this.adminKey, this.consumers);
    return true;
  }
}

/** The portal's key or the admin key: for the portal's dossiers. Another consumer's key gets 403 `portal_key_required`. */
@Injectable()
export class PortalGuard implements CanActivate {
  constructor(
    private readonly adminKey: AdminKey,
    private readonly consumers: ConsumerDirectory,
    private readonly system: SystemConsumers,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { [KEY_HOLDER]?: KeyHolder }>();
    const holder = await keyHolder(request, this.adminKey, this.consumers);
    if (holder.kind === 'consumer' && holder.consumerId !== this.system.portalConsumer()) {
      throw new ForbiddenError('portal_key_required', "This endpoint needs the portal's key (PORTAL_API_KEY) or the admin key.");
    }
    request[KEY_HOLDER] = holder;
    return true;
  }
}
